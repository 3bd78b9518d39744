package dev.firesafe.source;

import dev.firesafe.archive.FileMeta;
import dev.firesafe.plan.SourceSpec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Records what a walk hands over: the files' names, the warnings, the exact bytes of names. */
final class RecordingSink implements SourceWalker.EntrySink {
    final List<String> files = new ArrayList<>();
    final List<String> warnings = new ArrayList<>();
    final Map<String, byte[]> exact = new HashMap<>();

    /** Walks {@code root} as the source labelled "src" into this sink. */
    RecordingSink walk(Path root) throws IOException {
        new SourceWalker(this, Set.of()).walk(new SourceSpec(root, List.of(), List.of()), "src");
        return this;
    }

    @Override
    public void directory(String name, FileMeta meta) {
    }

    @Override
    public void symlink(String name, String target, FileMeta meta) {
    }

    @Override
    public void file(String name, Path path, FileMeta meta) {
        files.add(name);
    }

    @Override
    public void warn(String name, String problem) {
        warnings.add(name + ": " + problem);
    }

    @Override
    public void exactBytes(String name, byte[] path, byte[] linkTarget) {
        exact.put(name, path);
    }
}
