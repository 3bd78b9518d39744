package dev.firesafe.host.trigger;

import dev.firesafe.engine.backup.BackupResult;

/**
 * Fired (CDI event) when a run ends, before the requests waiting on it are released: completion events, metrics
 * and notifications observe it. {@code result} is null when the run failed before a backup was written.
 */
public record RunFinished(RunState run, BackupResult result) {
}
