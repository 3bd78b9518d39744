package dev.firesafe.cli;

import dev.firesafe.app.Services;
import dev.firesafe.core.FiresafeException;
import dev.firesafe.engine.restore.PitrRestore;
import dev.firesafe.repository.wal.Lsn;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** {@code restore --postgres-pitr}: the options checked, the restore_command built, the result printed. */
final class PitrRestoreRun {

    private static final DateTimeFormatter PG_STYLE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss[.SSSSSS]x");

    private PitrRestoreRun() {
    }

    static void run(RestoreCommand c, Services services) {
        if (c.include != null || c.sparse || c.postgres != null || c.legacyFernet != null || c.force) {
            throw FiresafeException.usage("--postgres-pitr restores a whole data directory into an empty folder: "
                    + "--include, --sparse, --postgres, --legacy-fernet and --force do not apply");
        }
        if (c.id != null && !c.id.equals("latest")) {
            throw FiresafeException.usage("--postgres-pitr picks the base backup itself: give a target "
                    + "(--target-time, --target-lsn), not a backup id");
        }
        Instant time = c.targetTime == null ? null : parseTime(c.targetTime);
        Lsn lsn = c.targetLsn == null ? null : Lsn.parse(c.targetLsn);
        String planName = c.plan == null ? "default" : c.plan;
        String plan = services.plans().find(planName, true).name();
        TargetOption.Selection selected = TargetOption.select(c.target, planName, services.plans(),
                services.settings().firesafe());
        Path dir = c.to.toAbsolutePath().normalize();
        Path spool = dir.resolve("pg_wal").resolve("firesafe-prefetch");
        String restoreCommand = WalFetchLine.build(plan, selected.target(), spool,
                services.keys().masterKeyFile());
        PitrRestore.Result r = new PitrRestore(services.keys(), services.stores(), services.restores(),
                new dev.firesafe.postgres.PgClients(services.settings().postgres().clientPaths()))
                .restore(new PitrRestore.Request(WalFetchLine.absolute(selected.target()), plan, dir, time, lsn,
                        c.pause, restoreCommand, c.startPort, c.runAs, Duration.ofHours(24)));
        if (c.json) {
            System.out.println(Json.of(r));
            return;
        }
        System.out.printf("restored base backup %s of plan '%s' (WAL from %s, timeline %d) into %s; recovery "
                        + "target: %s on timeline %d (archived up to %s)%n", r.backupId(), plan, r.baseStart(),
                r.baseTimeline(), r.dir(), r.target(), r.targetTimeline(), r.archivedEnd() == null ? "-"
                        : r.archivedEnd());
        r.warnings().forEach(w -> System.err.println("warning: " + w));
        if (r.recovered() == null) {
            System.out.printf("start it with:  pg_ctl -D %s start%s%n", ShellWords.quote(r.dir()),
                    services.keys().masterKeyFile().isPresent() ? ""
                            : "   (with FIRESAFE_MASTER_KEY in the server's environment: restore_command needs it)");
        } else {
            System.out.printf("the server on 127.0.0.1:%d has %s%n", c.startPort,
                    r.recovered() == dev.firesafe.postgres.PgServer.Recovered.PROMOTED
                            ? "finished recovery and accepts writes" : "paused at the recovery target");
        }
    }

    static Instant parseTime(String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            try {
                return OffsetDateTime.parse(text).toInstant();
            } catch (DateTimeParseException e2) {
                try {
                    return OffsetDateTime.parse(text, PG_STYLE).toInstant();
                } catch (DateTimeParseException e3) {
                    throw FiresafeException.usage("--target-time '" + text + "' is not a time with its zone: write "
                            + "2026-12-06T21:30:00Z or '2026-12-06 21:30:00+01'");
                }
            }
        }
    }
}
