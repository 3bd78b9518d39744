package dev.firesafe.engine.restore;

import java.util.List;

/**
 * How a restore writes: over what is in the destination ({@code force}), only what the {@code include} patterns
 * select ({@link SelectedEntries}; everything when empty), runs of zeros as holes ({@code sparse},
 * {@link SparseOutput}).
 */
public record RestoreOptions(boolean force, List<String> include, boolean sparse) {

    public RestoreOptions {
        include = List.copyOf(include);
    }

    /** Everything, into an empty folder, every byte written. */
    public static RestoreOptions whole(boolean force) {
        return new RestoreOptions(force, List.of(), false);
    }
}
