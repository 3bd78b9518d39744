package dev.firesafe.source;

import dev.firesafe.plan.SourceSpec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.stream.Stream;

/** A quick estimate of how many bytes the sources hold (ignoring globs), for a progress ETA only. */
public final class SourceSize {
    private SourceSize() {
    }

    public static long estimate(List<SourceSpec> sources) {
        long total = 0;
        for (SourceSpec s : sources) {
            try (Stream<java.nio.file.Path> paths = Files.walk(s.path())) {
                total += paths.mapToLong(p -> {
                    try {
                        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class,
                                java.nio.file.LinkOption.NOFOLLOW_LINKS);
                        return a.isRegularFile() ? a.size() : 0;
                    } catch (IOException e) {
                        return 0;
                    }
                }).sum();
            } catch (IOException | UncheckedIOException e) {
                // an estimate: the backup itself reports what it cannot read
            }
        }
        return total;
    }
}
