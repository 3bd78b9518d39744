package dev.firesafe.host.trigger;

import dev.firesafe.core.FiresafeException;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.time.Instant;

/**
 * One run of a function as {@code GET /runs/{id}} shows it. {@code error} is the operator-facing message of a
 * failed run (never a secret: {@link dev.firesafe.core.FiresafeException} messages are written to be shown).
 */
@RegisterForReflection // written as JSON by run-function --json and the HTTP endpoints, also in a native image
public record RunState(String id, String function, String trigger, Status status, Instant queued, Instant started,
                       Instant ended, String backupId, long bytes, String error, Integer exitCode) {

    public enum Status { QUEUED, RUNNING, SUCCEEDED, FAILED }

    public boolean finished() {
        return status == Status.SUCCEEDED || status == Status.FAILED;
    }
}
