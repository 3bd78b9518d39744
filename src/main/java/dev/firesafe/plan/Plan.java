package dev.firesafe.plan;

import dev.firesafe.archive.Compression;

import java.util.List;

/** What one backup run does: read these sources, compress so, write to these targets, keep so many. */
public record Plan(String name, List<SourceSpec> sources, List<String> targets, Compression compression,
                   Retention retention) {
    public Plan {
        sources = List.copyOf(sources);
        targets = List.copyOf(targets);
    }

    public Plan withSources(List<SourceSpec> replacement) {
        return new Plan(name, replacement, targets, compression, retention);
    }

    public Plan withTargets(List<String> replacement) {
        return new Plan(name, sources, replacement, compression, retention);
    }
}
