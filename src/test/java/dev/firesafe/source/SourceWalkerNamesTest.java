package dev.firesafe.source;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Names the walk gives entries whose bytes are not UTF-8: spelled out, warned about, never twice. */
class SourceWalkerNamesTest {

    @TempDir
    Path tmp;

    private final RecordingSink sink = new RecordingSink();

    private void walk(Path root) throws IOException {
        sink.walk(root);
    }

    @Test
    void badBytesAreSpelledOutWithAWarning() throws IOException {
        Files.writeString(Path.of(URI.create(tmp.toUri() + "bad%FFname")), "x");
        walk(tmp);
        assertEquals(List.of("src/bad\uFFFDFFname"), sink.files);
        assertEquals(1, sink.warnings.size(), sink.warnings.toString());
        assertTrue(sink.warnings.get(0).contains("not valid UTF-8"), sink.warnings.toString());
    }

    @Test
    void aSpelledOutNameThatMeetsARealOneIsLeftOutNotStoredTwice() throws IOException {
        // A valid UTF-8 name that reads exactly like the spelling of "a\xFF": only one of them may be stored.
        Files.writeString(tmp.resolve("a\uFFFDFF"), "real");
        Files.writeString(Path.of(URI.create(tmp.toUri() + "a%FF")), "bad bytes");
        walk(tmp);
        assertEquals(List.of("src/a\uFFFDFF"), sink.files);
        assertTrue(sink.warnings.stream()
                        .anyMatch(w -> w.contains("clashes") && w.contains("MISSING from this backup")),
                sink.warnings.toString());
    }
}
