package dev.firesafe.cli;

import dev.firesafe.backup.Progress;
import dev.firesafe.plan.FiresafeConfig;
import dev.firesafe.plan.PlanRepository;
import dev.firesafe.restore.RestoreResult;
import dev.firesafe.restore.LegacyFernetRestore;
import dev.firesafe.restore.RestoreService;
import dev.firesafe.FiresafeException;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import jakarta.inject.Inject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

@Command(name = "restore", description = "Restore a backup into a folder, checking every file's SHA-256.")
class RestoreCommand implements Runnable {

    @Parameters(index = "0", defaultValue = "latest", description = "Backup id, or 'latest' (default).")
    String id;

    @Option(names = "--to", required = true, description = "Destination folder (empty or absent).")
    Path to;

    @Option(names = "--target", description = "Target holding the backup (default: the plan's target).")
    String target;

    @Option(names = "--plan", description = "With 'latest': newest backup of this plan.")
    String plan;

    @Option(names = "--force", description = "Restore into a non-empty folder, replacing files in the way.")
    boolean force;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Option(names = "--legacy-fernet", paramLabel = "FILE", description = "Restore a backup of the original system: "
            + "a Fernet token holding a tar.gz (key from AITHER_MASTER_KEY or --legacy-key-file).")
    Path legacyFernet;

    @Option(names = "--legacy-key-file", paramLabel = "FILE", description = "File holding the Fernet key.")
    Path legacyKeyFile;

    @ConfigProperty(name = "aither.master-key")
    Optional<String> aitherMasterKey;

    @Inject
    PlanRepository plans;

    @Inject
    FiresafeConfig config;

    @Inject
    RestoreService service;

    @Override
    public void run() {
        if (legacyFernet != null) {
            restoreLegacy();
            return;
        }
        Progress progress = ProgressLine.forTerminal(json, 0);
        RestoreResult r;
        try {
            r = service.restore(TargetOption.resolve(target, plan, plans, config), id, plan, to, force, progress);
        } finally {
            ProgressLine.end(progress);
        }
        if (json) {
            System.out.println(Json.of(r));
        } else {
            System.out.printf("restored backup %s of plan '%s' (host %s, %s) into %s: %d files, %s, every SHA-256 "
                    + "matches; took %s%n", r.id(), r.plan(), r.host(), r.created(), r.destination(), r.files(),
                    Units.bytes(r.bytes()), Units.seconds(r.durationMs()));
            r.warnings().forEach(w -> System.err.println("note from backup time: " + w));
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
        LegacyFernetRestore.Result r = LegacyFernetRestore.restore(legacyFernet, keyText, origin, to, force);
        if (json) {
            System.out.println(Json.of(r));
        } else {
            System.out.printf("restored legacy backup %s (made %s) into %s: %d files, %s%n", legacyFernet,
                    r.tokenCreated(), to, r.files(), Units.bytes(r.bytes()));
        }
    }
}
