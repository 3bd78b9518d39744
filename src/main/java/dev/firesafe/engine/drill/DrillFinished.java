package dev.firesafe.engine.drill;

/**
 * Fired (a CDI event) at the end of every drill, passed or failed, so a failed drill reaches metrics and
 * notifications as loudly as a failed backup. {@code result} is null when the drill could not start at all (no
 * key, unknown plan); {@code error} then says why.
 */
public record DrillFinished(String plan, DrillResult result, String error, int exitCode) {

    public boolean ok() {
        return result != null && result.ok();
    }
}
