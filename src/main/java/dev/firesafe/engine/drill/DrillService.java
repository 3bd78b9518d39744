package dev.firesafe.engine.drill;

import dev.firesafe.core.ExitCode;
import dev.firesafe.core.FiresafeException;
import dev.firesafe.crypto.KeySource;
import dev.firesafe.core.FiresafeConfig;
import dev.firesafe.plan.Plan;
import dev.firesafe.plan.PostgresSource;
import dev.firesafe.postgres.PgClients;
import dev.firesafe.postgres.PgConnection;
import dev.firesafe.postgres.PostgresRestore;
import dev.firesafe.engine.restore.RestoreResult;
import dev.firesafe.engine.restore.RestoreService;
import dev.firesafe.store.StoreRegistry;
import dev.firesafe.postgres.PostgresConfig;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A restore drill: proves that the latest backup of a plan on each of its targets can be restored, by doing it.
 * Per target: fetch the newest backup, decrypt it, check every file against the manifest while restoring into a
 * scratch folder, read the restored tree back and compare it with the manifest again, optionally replay its
 * database dumps into a scratch PostgreSQL server, and remove the scratch folder whatever happened. The time from
 * the first read to the last check is the measured RTO.
 *
 * <p>A plain bean with one method, so the CLI and a scheduled trigger run the same drill; every drill ends with a
 * {@link DrillFinished} event.
 */
public class DrillService {

    private static final Logger LOG = Logger.getLogger(DrillService.class);

    private final KeySource keys;
    private final RestoreService restore;
    private final StoreRegistry stores;
    private final FiresafeConfig config;
    private final PostgresConfig postgres;
    private final Path scratchParent;
    private final Clock clock;
    private final Consumer<DrillFinished> announcer;

    /**
     * Built by {@code app.Services}: scratch folders are made under {@code scratchParent}; {@code announcer} hears
     * every end.
     */
    public DrillService(KeySource keys, RestoreService restore, StoreRegistry stores, FiresafeConfig config,
                        PostgresConfig postgres, Path scratchParent, Clock clock, Consumer<DrillFinished> announcer) {
        this.keys = keys;
        this.restore = restore;
        this.stores = stores;
        this.config = config;
        this.postgres = postgres;
        this.scratchParent = scratchParent;
        this.clock = clock;
        this.announcer = announcer;
    }

    /** Where drills make their scratch folders: {@code firesafe.drill.scratch-dir}, else the temporary folder. */
    public static Path scratchParent(DrillConfig drill) {
        return Path.of(drill.scratchDir().filter(s -> !s.isBlank()).orElse(System.getProperty("java.io.tmpdir")));
    }

    /**
     * Drills {@code plan} on {@code targetOverride}, or on each of its targets when null. {@code postgresUrl}
     * (optional) names a scratch PostgreSQL server the dumps are replayed into; it takes one target at a time,
     * since a second replay would meet the first one's databases. Per-target failures are in the result; a drill
     * that cannot start at all (no key that reads backups, bad arguments) throws.
     */
    public DrillResult drill(Plan plan, String targetOverride, String postgresUrl) {
        return drill(plan, targetOverride, postgresUrl, true);
    }

    /**
     * As {@link #drill(Plan, String, String)}; {@code logEachTarget} false for a caller that shows every target's
     * outcome itself ({@code firesafe drill}): the log line said it a second time (issue #19).
     */
    public DrillResult drill(Plan plan, String targetOverride, String postgresUrl, boolean logEachTarget) {
        try {
            DrillResult result = run(plan, targetOverride, postgresUrl, logEachTarget);
            announce(new DrillFinished(plan.name(), result, null, result.exitCode()));
            return result;
        } catch (FiresafeException e) {
            announce(new DrillFinished(plan.name(), null, e.getMessage(), e.exitCode().code));
            throw e;
        }
    }

    /**
     * A point-in-time recovery drill ({@code drill --postgres-pitr}, {@link PitrDrill}) of {@code plan} on
     * {@code targetOverride}, or on each of its targets: a scratch cluster recovered to the newest archived WAL,
     * started, asked {@code SELECT 1} and {@code query} (may be null) in {@code database}, stopped and removed.
     * {@code restoreCommand} gives the recovered server's restore_command for its data directory. The RTO is the
     * target's {@code restoreMs}; the result is announced like every drill's.
     */
    public DrillResult drillPitr(Plan plan, String targetOverride, String query, String database, String runAs,
                                 java.util.function.Function<String, java.util.function.Function<Path, String>>
                                         restoreCommand) {
        try {
            requireReadingKey();
            List<String> targets = targetOverride != null ? List.of(targetOverride)
                    : plan.targetsOrDefault(config.defaultTarget());
            PgClients clients = new PgClients(postgres.clientPaths());
            PitrDrill drill = new PitrDrill(new dev.firesafe.engine.restore.PitrRestore(keys, stores, restore,
                    clients), clients, scratchParent, clock);
            Instant started = clock.instant();
            List<DrillResult.TargetDrill> results = new ArrayList<>();
            for (String target : targets) {
                DrillResult.TargetDrill r = drill.run(plan.name(), target, new PitrDrill.Check(query,
                        database == null ? "postgres" : database, runAs, restoreCommand.apply(target)));
                results.add(new DrillResult.TargetDrill(describe(target), r.ok(), r.exitCode(), r.backupId(),
                        r.backupCreated(), r.files(), r.bytes(), r.restoreMs(), r.differences(), r.replayed(),
                        r.error()));
            }
            DrillResult result = DrillResult.of(plan.name(), started.toString(),
                    clock.millis() - started.toEpochMilli(), results);
            announce(new DrillFinished(plan.name(), result, null, result.exitCode()));
            return result;
        } catch (FiresafeException e) {
            announce(new DrillFinished(plan.name(), null, e.getMessage(), e.exitCode().code));
            throw e;
        }
    }

    private DrillResult run(Plan plan, String targetOverride, String postgresUrl, boolean logEachTarget) {
        List<String> targets = targetOverride != null ? List.of(targetOverride)
                : plan.targetsOrDefault(config.defaultTarget());
        PostgresSource scratchServer = postgresUrl == null ? null : PgConnection.parseUrl(postgresUrl);
        if (scratchServer != null && targets.size() > 1) {
            throw FiresafeException.usage("--postgres replays into one server, one target at a time: plan '"
                    + plan.name() + "' has " + targets.size() + " targets, choose one with --target");
        }
        requireReadingKey();
        Instant started = clock.instant();
        List<DrillResult.TargetDrill> results = new ArrayList<>();
        for (String target : targets) {
            DrillResult.TargetDrill r = drillTarget(plan.name(), target, scratchServer);
            if (!logEachTarget) {
                results.add(r);
                continue;
            }
            if (r.ok()) {
                LOG.infof("drill of plan %s on %s passed: backup %s, %d file%s, restored in %d ms", plan.name(),
                        r.target(), r.backupId(), r.files(), r.files() == 1 ? "" : "s", r.restoreMs());
            } else {
                LOG.errorf("drill of plan %s on %s FAILED: %s", plan.name(), r.target(), r.error());
            }
            results.add(r);
        }
        return DrillResult.of(plan.name(), started.toString(), clock.millis() - started.toEpochMilli(), results);
    }

    /**
     * Fails before touching any target when no key can read backups. In write-only mode the host holds only the
     * public key by design, so the message says where the private key must come from.
     */
    private void requireReadingKey() {
        try {
            keys.forReading();
        } catch (FiresafeException e) {
            throw new FiresafeException(e.exitCode(), "a drill decrypts backups, so it needs the key that reads "
                    + "them; for write-only backups that is the private recovery key, which the backup host should "
                    + "not hold: run drills where it is kept. " + e.getMessage());
        }
    }

    private DrillResult.TargetDrill drillTarget(String plan, String targetUri, PostgresSource scratchServer) {
        String target = describe(targetUri);
        long started = clock.millis();
        DrillResult.TargetDrill result;
        ScratchDir scratch;
        try {
            scratch = new ScratchDir(scratchParent);
        } catch (IOException e) {
            return DrillResult.TargetDrill.failed(target, ExitCode.DESTINATION, "cannot create a scratch folder in "
                    + scratchParent + ": " + e.getMessage(), 0);
        }
        try {
            result = restoreAndCompare(plan, targetUri, target, scratch.path(), scratchServer, started);
        } catch (FiresafeException e) {
            result = DrillResult.TargetDrill.failed(target, e.exitCode(), e.getMessage(), clock.millis() - started);
        } catch (RuntimeException e) {
            result = DrillResult.TargetDrill.failed(target, ExitCode.FAILURE, "internal error: " + e,
                    clock.millis() - started);
        } finally {
            try {
                scratch.close();
            } catch (IOException e) {
                // reported below: restored plaintext left behind must not go unnoticed
                LOG.errorf("drill could not remove its scratch folder %s: %s", scratch.path(), e);
                result = null;
            }
        }
        if (result == null) {
            return DrillResult.TargetDrill.failed(target, ExitCode.FAILURE, "scratch folder " + scratch.path()
                    + " could not be removed; it holds restored files: remove it by hand", clock.millis() - started);
        }
        return result;
    }

    private DrillResult.TargetDrill restoreAndCompare(String plan, String targetUri, String target, Path scratch,
                                                      PostgresSource scratchServer, long started) {
        Path tree = scratch.resolve("restored");
        RestoreResult r = restore.restoreIntoScratch(targetUri, "latest", plan, tree);
        List<String> differences;
        try {
            differences = TreeCheck.differences(tree, r.manifest());
        } catch (IOException e) {
            throw FiresafeException.integrity("cannot read the restored tree back: " + e.getMessage(), e);
        }
        List<PostgresRestore.Replayed> replayed = scratchServer == null ? List.of()
                : PostgresRestore.replay(tree, scratchServer, new PgClients(postgres.clientPaths()));
        long restoreMs = clock.millis() - started;
        int replayErrors = PostgresRestore.errors(replayed); // a scratch server: any but the expected one is real
        boolean ok = differences.isEmpty() && replayErrors == 0;
        int code = !differences.isEmpty() ? ExitCode.INTEGRITY.code : replayErrors > 0 ? ExitCode.SOURCE.code
                : ExitCode.OK.code;
        String error = !differences.isEmpty() ? differences.size() + " file(s) differ from the manifest after "
                + "restore: " + String.join("; ", differences.subList(0, Math.min(5, differences.size())))
                : replayErrors > 0 ? "replaying the PostgreSQL dumps into the scratch server reported " + replayErrors
                + " error(s), first: " + replayed.stream().flatMap(p -> p.firstErrors().stream()).findFirst()
                .orElse("?") : null;
        return new DrillResult.TargetDrill(target, ok, code, r.id(), r.created(), r.files(), r.bytes(), restoreMs,
                differences, replayed, error);
    }

    private String describe(String targetUri) {
        try {
            return stores.describe(targetUri);
        } catch (RuntimeException e) {
            return targetUri;
        }
    }

    private void announce(DrillFinished finished) {
        try {
            announcer.accept(finished);
        } catch (RuntimeException e) {
            LOG.warnf("an observer of the finished drill of plan %s failed: %s", finished.plan(), e);
        }
    }
}
