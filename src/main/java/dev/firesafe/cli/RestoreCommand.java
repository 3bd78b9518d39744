package dev.firesafe.cli;

import dev.firesafe.app.Services;

import dev.firesafe.core.Progress;
import dev.firesafe.core.FiresafeConfig;
import dev.firesafe.plan.PlanRepository;
import dev.firesafe.plan.PostgresSource;
import dev.firesafe.postgres.PgClients;
import dev.firesafe.postgres.PgConnection;
import dev.firesafe.postgres.PostgresRestore;
import dev.firesafe.engine.restore.RestoreOptions;
import dev.firesafe.engine.restore.RestoreResult;
import dev.firesafe.engine.restore.LegacyFernetRestore;
import dev.firesafe.engine.restore.RestoreService;
import dev.firesafe.core.FiresafeException;
import dev.firesafe.core.Failures;
import dev.firesafe.store.github.GitHubStore;
import jakarta.inject.Inject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.StandardCopyOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

@Command(name = "restore", description = "Restore a backup into a folder, checking every file's SHA-256.")
class RestoreCommand implements Runnable {

    @Parameters(index = "0", defaultValue = "latest", description = "Backup id, or 'latest' (default).")
    String id;

    // Checked in run(), not by picocli: picocli reports a missing required option before an unknown one, so the
    // typo '--too DIR' said "Missing required option: '--to'" instead of naming '--too' (issue #19).
    @Option(names = "--to", paramLabel = "DIR", description = "Destination folder (empty or absent). Required.")
    Path to;

    @Option(names = "--target", description = "Target holding the backup (default: the plan's target).")
    String target;

    @Option(names = "--plan", description = "With 'latest': newest backup of this plan (without it: of the one "
            + "plan the target holds; several plans there need --plan).")
    String plan;

    @Option(names = "--force", description = "Restore into a non-empty folder, replacing files in the way.")
    boolean force;

    @Option(names = "--include", paramLabel = "PATTERN", description = "Restore only what matches this glob "
            + "(repeatable): names start with the source's folder name, e.g. 'data/vault/**' or '*.sql' (any depth); "
            + "a matching folder comes with everything in it. The whole backup is still checked.")
    List<String> include;

    @Option(names = "--sparse", description = "Write runs of zeros (whole 4 KiB blocks) as holes: a sparse VM "
            + "image or database file takes the room its data needs instead of its full size. Same content.")
    boolean sparse;

    @Option(names = "--postgres", paramLabel = "URL", description = "After restoring, replay the backup's PostgreSQL "
            + "dumps into this running server: postgresql://USER@HOST:PORT/ (password from PGPASSWORD or PGPASSFILE).")
    String postgres;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Option(names = "--legacy-fernet", paramLabel = "FILE", description = "Restore a backup of the original system: "
            + "a Fernet token holding a tar.gz (key from AITHER_MASTER_KEY or --legacy-key-file); a local path or "
            + "github://OWNER/REPO/PATH/FILE?branch=BRANCH.")
    String legacyFernet;

    @Option(names = "--legacy-key-file", paramLabel = "FILE", description = "File holding the Fernet key.")
    Path legacyKeyFile;

    @Option(names = "--postgres-pitr", description = "Point-in-time recovery of a PostgreSQL cluster: write a data "
            + "directory (from the newest base backup before the target) that pg_ctl start recovers from the WAL "
            + "archive to --target-time or --target-lsn (default: everything archived). docs/pitr.md")
    boolean postgresPitr;

    @Option(names = "--target-time", paramLabel = "T", description = "With --postgres-pitr: recover to this time, "
            + "e.g. 2026-12-06T21:30:00Z or '2026-12-06 21:30:00+01'.")
    String targetTime;

    @Option(names = "--target-lsn", paramLabel = "L", description = "With --postgres-pitr: recover to this LSN, "
            + "e.g. 0/3000028.")
    String targetLsn;

    @Option(names = "--pause", description = "With --postgres-pitr and a target: pause at the target instead of "
            + "ending recovery (inspect, then pg_wal_replay_resume() or promote).")
    boolean pause;

    @Option(names = "--start-port", paramLabel = "N", description = "With --postgres-pitr: start the server on "
            + "127.0.0.1:N with pg_ctl and wait until recovery has finished.")
    Integer startPort;

    @Option(names = "--run-as", paramLabel = "USER", defaultValue = "postgres", description = "With --start-port, "
            + "when run as root: the user the server runs as (the data directory is handed to it). "
            + "Default: ${DEFAULT-VALUE}.")
    String runAs;

    private final Optional<String> aitherMasterKey;
    private final PlanRepository plans;
    private final FiresafeConfig config;
    private final Services.Settings settings;
    private final RestoreService service;

    @Inject
    RestoreCommand(Services services) {
        this.aitherMasterKey = services.settings().aitherMasterKey();
        this.plans = services.plans();
        this.config = services.settings().firesafe();
        this.settings = services.settings();
        this.service = services.restores();
        this.services = services;
    }

    private final Services services;

    @Override
    public void run() {
        if (to == null) {
            throw FiresafeException.usage("Missing required option: '--to=DIR' (the folder to restore into, empty "
                    + "or absent)");
        }
        if (json) {
            Json.prepareInBackground();
        }
        if (postgresPitr) {
            PitrRestoreRun.run(this, services);
            return;
        }
        if (targetTime != null || targetLsn != null || pause || startPort != null) {
            throw FiresafeException.usage("--target-time, --target-lsn, --pause and --start-port go with "
                    + "--postgres-pitr");
        }
        if (legacyFernet != null) {
            if (include != null || sparse) {
                throw FiresafeException.usage("--include and --sparse do not apply to --legacy-fernet: restore it "
                        + "whole");
            }
            restoreLegacy();
            return;
        }
        PostgresSource server = postgres == null ? null : PgConnection.parseUrl(postgres); // bad URL: fail first
        Progress progress = ProgressLine.forTerminal(json, 0);
        RestoreResult r;
        try {
            TargetOption.Selection selected = TargetOption.select(target, plan, plans, config);
            r = service.restore(selected.target(), id, selected.plan(), to,
                    new RestoreOptions(force, include == null ? List.of() : include, sparse), progress);
        } finally {
            ProgressLine.end(progress);
        }
        Path replayLog = to.resolve(PostgresRestore.LOG);
        List<PostgresRestore.Replayed> replayed = server == null ? List.of()
                : PostgresRestore.replay(to, server, new PgClients(settings.postgres().clientPaths()), replayLog);
        if (json) {
            System.out.println(server == null ? Json.of(r) : Json.of(Map.of("restore", r, "postgres", replayed)));
        } else {
            String what = r.include().isEmpty() ? Units.count(r.files(), "file", "files") + ", "
                    + Units.bytes(r.bytes()) : r.restoredFiles() + " of its " + Units.count(r.files(), "file", "files")
                    + " (--include " + String.join(" ", r.include())
                    + ")";
            System.out.printf("restored backup %s of plan '%s' (host %s, %s) into %s: %s, every SHA-256 "
                    + "matches; took %s%n", r.id(), r.plan(), r.host(), r.created(), r.destination(), what,
                    Units.seconds(r.durationMs()));
            r.warnings().forEach(w -> System.err.println("note from backup time: " + w));
            r.restoreWarnings().forEach(w -> System.err.println("warning: " + w));
            printReplayed(replayed);
        }
        int errors = PostgresRestore.errors(replayed);
        if (errors > 0) {
            // the files are restored and checked; the database is what may be wrong, so this is not a success
            throw FiresafeException.source("replaying the PostgreSQL dumps into " + postgres + " reported "
                    + errors + " error(s), such as duplicate keys or 'already exists' (a server that was not "
                    + "empty?): the databases may be incomplete or mixed with what the server held. The files are "
                    + "restored and checked in " + to + "; every message is in " + replayLog);
        }
    }

    private static void printReplayed(List<PostgresRestore.Replayed> replayed) {
        for (PostgresRestore.Replayed p : replayed) {
            System.out.printf("replayed %s with %s%s%s%n", p.file(), p.tool(), p.expectedErrors() == 0 ? ""
                    : " (the superuser's 'role ... already exists', expected in a fresh cluster)", p.errors() == 0
                    ? "" : "; it reported " + p.errors() + " error(s) and went on, first:");
            p.firstErrors().forEach(e -> System.out.println("    " + e));
        }
    }

    /** The token is ciphertext, so a temporary copy reveals nothing; it is removed after the restore. */
    private Path fetchLegacyFromGitHub() {
        Path copy = null;
        try (InputStream in = GitHubStore.openFile(legacyFernet, settings.github(), System::getenv)) {
            copy = Files.createTempFile("firesafe-legacy", ".fernet");
            Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
            return copy;
        } catch (IOException e) {
            deleteQuietly(copy);
            throw Failures.classify(e, "cannot fetch " + legacyFernet);
        }
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a temp file of ciphertext; the OS cleans the temp folder eventually
            }
        }
    }

    private void restoreLegacy() {
        String keyText;
        String origin;
        if (legacyKeyFile != null) {
            origin = "--legacy-key-file " + legacyKeyFile;
            try {
                keyText = Files.readString(legacyKeyFile);
            } catch (IOException e) {
                throw FiresafeException.key("cannot read " + origin);
            }
        } else {
            origin = "AITHER_MASTER_KEY";
            keyText = aitherMasterKey.filter(k -> !k.isBlank()).orElseThrow(() -> FiresafeException.key(
                    "--legacy-fernet needs the old key: set AITHER_MASTER_KEY or give --legacy-key-file"));
        }
        LegacyFernetRestore.Result r;
        if (legacyFernet.startsWith("github://")) {
            Path fetched = fetchLegacyFromGitHub();
            try {
                r = LegacyFernetRestore.restore(fetched, keyText, origin, to, force);
            } finally {
                deleteQuietly(fetched);
            }
        } else {
            r = LegacyFernetRestore.restore(Path.of(legacyFernet), keyText, origin, to, force);
        }
        if (json) {
            System.out.println(Json.of(r));
        } else {
            System.out.printf("restored legacy backup %s (made %s) into %s: %s, %s%n", legacyFernet,
                    r.tokenCreated(), to, Units.count(r.files(), "file", "files"), Units.bytes(r.bytes()));
        }
    }
}
