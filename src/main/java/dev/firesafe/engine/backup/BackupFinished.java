package dev.firesafe.engine.backup;

import dev.firesafe.store.Store;
import dev.firesafe.core.ExitCode;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Fired (a CDI event) at the end of every backup run, whatever started it and however it ended, so metrics,
 * health and notifications learn about it without the pipeline knowing them.
 *
 * @param result   what the run did per target; null when it failed before any target was written
 * @param error    why it failed (an operator-facing message, never secret material); null on success
 * @param targets  the targets the run was meant to write, as {@link dev.firesafe.store.Store#describe()}
 *                 names them (the per-target outcome is in {@code result} when there is one)
 */
public record BackupFinished(String plan, BackupResult result, String error, ExitCode exitCode, Instant started,
                             Duration duration, List<String> targets) {

    public BackupFinished {
        targets = List.copyOf(targets);
    }

    /** True when every target has the new backup. */
    public boolean ok() {
        return exitCode == ExitCode.OK;
    }
}
