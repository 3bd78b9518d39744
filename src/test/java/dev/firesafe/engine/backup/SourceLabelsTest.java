package dev.firesafe.engine.backup;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The top-level archive folder of each source is spelled like every name below it (archive.FileNames): UTF-8 text
 * whatever the locale, bad bytes spelled out, never the JVM's own decoding of the folder's name.
 */
class SourceLabelsTest {

    @Test
    void labelsOfNamesThatAreNotUtf8AreSpelledOutAndStayDistinct() {
        Path a = Path.of(URI.create("file:///srv/data%FF"));
        Path b = Path.of(URI.create("file:///srv/data%FE"));
        assertEquals(List.of("data\uFFFDFF", "data\uFFFDFE"), BackupService.labels(List.of(a, b)));
    }

    @Test
    void labelsKeepUnicodeAndRepeatsStillGetASuffix() {
        assertEquals(List.of("Bücher", "Bücher-2", "root"),
                BackupService.labels(List.of(Path.of("/a/Bücher"), Path.of("/b/Bücher"), Path.of("/"))));
    }
}
