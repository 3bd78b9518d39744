package dev.firesafe.source;

import dev.firesafe.archive.FileMeta;
import dev.firesafe.plan.SourceSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Names the walk gives entries whose bytes are not UTF-8: spelled out, warned about, never twice. */
class SourceWalkerNamesTest {

    @TempDir
    Path tmp;

    private final List<String> files = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();

    private final SourceWalker.EntrySink sink = new SourceWalker.EntrySink() {
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
    };

    private void walk(Path root) throws IOException {
        new SourceWalker(sink, Set.of()).walk(new SourceSpec(root, List.of(), List.of()), "src");
    }

    @Test
    void badBytesAreSpelledOutWithAWarning() throws IOException {
        Files.writeString(Path.of(URI.create(tmp.toUri() + "bad%FFname")), "x");
        walk(tmp);
        assertEquals(List.of("src/bad\uFFFDFFname"), files);
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("not valid UTF-8"), warnings.toString());
    }

    @Test
    void aSpelledOutNameThatMeetsARealOneIsLeftOutNotStoredTwice() throws IOException {
        // A valid UTF-8 name that reads exactly like the spelling of "a\xFF": only one of them may be stored.
        Files.writeString(tmp.resolve("a\uFFFDFF"), "real");
        Files.writeString(Path.of(URI.create(tmp.toUri() + "a%FF")), "bad bytes");
        walk(tmp);
        assertEquals(List.of("src/a\uFFFDFF"), files);
        assertTrue(warnings.stream().anyMatch(w -> w.contains("clashes") && w.contains("MISSING from this backup")),
                warnings.toString());
    }
}
