package dev.firesafe.plan;

import java.util.List;

/**
 * Shell commands around a backup: {@code before} runs first (a failure fails the backup before anything is
 * written), {@code after} always runs last, also when the backup failed (to restart a paused service, say).
 */
public record Hooks(List<String> before, List<String> after) {
    public static final Hooks NONE = new Hooks(List.of(), List.of());

    public Hooks {
        before = before == null ? List.of() : List.copyOf(before);
        after = after == null ? List.of() : List.copyOf(after);
    }
}
