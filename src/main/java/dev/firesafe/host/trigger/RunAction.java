package dev.firesafe.host.trigger;

import dev.firesafe.engine.backup.BackupResult;

/** Runs one function's backup; what {@link FunctionRunner} calls, so tests can put a latch in its place. */
@FunctionalInterface
public interface RunAction {
    BackupResult run(String function);
}
