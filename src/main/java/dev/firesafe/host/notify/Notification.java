package dev.firesafe.host.notify;

import dev.firesafe.engine.backup.BackupFinished;
import dev.firesafe.engine.backup.BackupResult;
import dev.firesafe.engine.drill.DrillFinished;
import dev.firesafe.engine.drill.DrillResult;

import java.util.List;

/**
 * The JSON body of a webhook call (README, "Notifications"). {@code event} is one of {@code backup.completed},
 * {@code backup.failed}, {@code drill.completed}, {@code drill.failed}, {@code wal.lag} (a function's WAL archive
 * lag exceeds its {@code rpo}; {@code durationMs} is the lag) and {@code wal.lag.recovered}. Holds names, sizes and messages written for
 * operators, never key material.
 */
public record Notification(String event, String function, boolean ok, int exitCode, String error, String host,
                           String time, String backupId, Long durationMs, List<TargetOutcome> targets) {

    /** The outcome on one target; {@code error} null when it went well. */
    public record TargetOutcome(String target, boolean ok, String error) {
    }

    static Notification of(BackupFinished e, String host, String time) {
        BackupResult r = e.result();
        List<TargetOutcome> targets = r == null
                ? e.targets().stream().map(t -> new TargetOutcome(t, false, e.error())).toList()
                : r.targets().stream().map(t -> new TargetOutcome(t.target(), t.ok(), t.error())).toList();
        return new Notification(e.ok() ? "backup.completed" : "backup.failed", e.plan(), e.ok(), e.exitCode().code,
                e.error(), host, time, r == null ? null : r.id(), e.duration().toMillis(), targets);
    }

    static Notification of(DrillFinished e, String host, String time) {
        DrillResult r = e.result();
        List<TargetOutcome> targets = r == null ? List.of()
                : r.targets().stream().map(t -> new TargetOutcome(t.target(), t.ok(), t.error())).toList();
        return new Notification(e.ok() ? "drill.completed" : "drill.failed", e.plan(), e.ok(), e.exitCode(),
                e.error(), host, time, null, r == null ? null : r.durationMs(), targets);
    }

    static Notification walLag(String function, boolean recovered, String message, long lagMs, String host,
                               String time) {
        return new Notification(recovered ? "wal.lag.recovered" : "wal.lag", function, recovered, 0,
                recovered ? null : message, host, time, null, lagMs, List.of());
    }
}
