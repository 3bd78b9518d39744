package dev.firesafe.plan;

import dev.firesafe.archive.FileNames;

import java.nio.file.Path;
import java.util.List;

/** A folder or file to back up, with glob patterns relative to it (see README, "Plans and functions", glob rules). */
public record SourceSpec(Path path, List<String> include, List<String> exclude) {
    public SourceSpec {
        include = include == null ? List.of() : List.copyOf(include);
        exclude = exclude == null ? List.of() : List.copyOf(exclude);
    }

    public static SourceSpec of(String path) {
        return new SourceSpec(FileNames.path(path), List.of(), List.of()); // any locale (FileNames)
    }
}
