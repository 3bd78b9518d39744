package dev.firesafe.engine.drill;

import dev.firesafe.archive.FileNames;
import dev.firesafe.archive.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The restored tree is read back by shown names: two restored paths that read the same (the raw byte 0xFF and the
 * valid name "\uFFFDFF", or two long names whose cut spelling clashes) must not collapse into one and hide one.
 * A crafted archive gets there with a folder that has exact bytes and a file below it that has none.
 */
class TreeCheckSameShownNameTest {

    @TempDir
    Path root;

    @Test
    void twoRestoredFoldersThatReadTheSameAreADifference() throws IOException {
        Files.createDirectory(root.resolve(FileNames.path(new byte[] {(byte) 0xff})));   // the folder entry
        Path plain = Files.createDirectory(root.resolve(
                FileNames.path("\uFFFDFF".getBytes(StandardCharsets.UTF_8))));             // made for the file
        Files.writeString(plain.resolve("f"), "x");
        Manifest m = new Manifest();
        m.entries.add(new Manifest.Entry("\uFFFDFF", Manifest.Entry.DIR, null, "0755",
                "2026-01-02T03:04:05Z", null, null));
        m.entries.add(new Manifest.Entry("\uFFFDFF/f", Manifest.Entry.FILE, 1L, "0644",
                "2026-01-02T03:04:05Z", "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881", null));
        List<String> problems = TreeCheck.differences(root, m);
        assertFalse(problems.isEmpty(), "the drill must notice a tree laid out unlike the manifest");
    }
}
