package dev.firesafe.archive;

import dev.firesafe.testing.Trees;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How {@link ArchiveWriter} copes with files that change under it: the backup goes on, with a warning. */
class ArchiveWriterTest {

    @TempDir
    Path tmp;

    private final ByteArrayOutputStream tarBytes = new ByteArrayOutputStream();
    private final Manifest manifest = new Manifest();
    private final ArchiveWriter writer = new ArchiveWriter(tarBytes, manifest, n -> {
    });

    /** The real attributes of {@code file}, as the walk would have seen them before reading. */
    private static FileMeta metaOf(Path file) throws IOException {
        return new FileMeta(Files.size(file), 0644, Files.getLastModifiedTime(file), 1000, 1000);
    }

    /** Finishes the archive and returns every entry's content by name, in archive order. */
    private Map<String, byte[]> finishAndRead() throws IOException {
        writer.finish(Instant.parse("2026-11-24T12:00:00Z"));
        writer.close();
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tarBytes.toByteArray()),
                StandardCharsets.UTF_8.name())) {
            TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                entries.put(e.getName(), in.readAllBytes());
            }
        }
        return entries;
    }

    private static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private List<String> problemsOf(String name) {
        return manifest.warnings.stream().filter(w -> w.path().equals(name)).map(Manifest.Warning::problem)
                .toList();
    }

    private Manifest.Entry entryOf(String name) {
        return manifest.entries.stream().filter(e -> e.path().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void unchangedFileIsStoredWithItsHashAndNoWarning() throws IOException {
        byte[] content = "steady\n".getBytes(StandardCharsets.UTF_8);
        Path file = tmp.resolve("steady.txt");
        Trees.write(file, content, "rw-r--r--");
        writer.file("src/steady.txt", file, metaOf(file));

        Map<String, byte[]> entries = finishAndRead();
        assertArrayEquals(content, entries.get("src/steady.txt"));
        assertEquals(sha256(content), entryOf("src/steady.txt").sha256());
        assertTrue(manifest.warnings.isEmpty(), manifest.warnings.toString());
        assertEquals(List.of("src/steady.txt", Manifest.ENTRY_NAME), List.copyOf(entries.keySet()),
                "the manifest is the last entry");
    }

    @Test
    void fileThatShrankIsPaddedToItsAnnouncedSizeAndWarned() throws IOException {
        byte[] content = new byte[1000];
        Arrays.fill(content, (byte) 'a');
        Path file = tmp.resolve("shrinking.log");
        Trees.write(file, content, "rw-r--r--");
        FileMeta seenByWalk = new FileMeta(5000, 0644, Files.getLastModifiedTime(file), 1000, 1000);

        writer.file("src/shrinking.log", file, seenByWalk);
        Map<String, byte[]> entries = finishAndRead();

        byte[] expected = Arrays.copyOf(content, 5000); // the missing 4000 bytes are zeros
        assertArrayEquals(expected, entries.get("src/shrinking.log"));
        Manifest.Entry entry = entryOf("src/shrinking.log");
        assertEquals(5000L, entry.size());
        assertEquals(sha256(expected), entry.sha256(), "the hash is of what was stored, padding included");
        assertTrue(problemsOf("src/shrinking.log").stream().anyMatch(p -> p.contains("shrank")
                && p.contains("4000")), manifest.warnings.toString());
        assertEquals(1, manifest.files);
        assertEquals(5000, manifest.bytes);
        assertTrue(entries.containsKey(Manifest.ENTRY_NAME), "the backup completed: the manifest was written");
    }

    @Test
    void fileThatVanishedGetsAWarningAndNoEntry() throws IOException {
        Path gone = tmp.resolve("gone.txt");
        FileMeta seenByWalk = new FileMeta(10, 0644, FileTime.from(Instant.parse("2026-01-01T00:00:00Z")), 0, 0);
        Path present = tmp.resolve("present.txt");
        Trees.write(present, "here".getBytes(StandardCharsets.UTF_8), "rw-r--r--");

        writer.file("src/gone.txt", gone, seenByWalk);
        writer.file("src/present.txt", present, metaOf(present));
        Map<String, byte[]> entries = finishAndRead();

        assertTrue(problemsOf("src/gone.txt").stream().anyMatch(p -> p.contains("vanished")),
                manifest.warnings.toString());
        assertFalse(entries.containsKey("src/gone.txt"), "no tar entry for a file that could not be opened");
        assertTrue(manifest.entries.stream().noneMatch(e -> e.path().equals("src/gone.txt")));
        assertTrue(entries.containsKey("src/present.txt"), "the backup went on after the vanished file");
        assertEquals(1, manifest.files);
    }

    @Test
    void fileWhoseModificationTimeChangedWhileReadIsWarned() throws IOException {
        byte[] content = "edited under us\n".getBytes(StandardCharsets.UTF_8);
        Path file = tmp.resolve("edited.txt");
        Trees.write(file, content, "rw-r--r--");
        FileTime walkSaw = FileTime.fromMillis(Files.getLastModifiedTime(file).toMillis() - 3_600_000);

        writer.file("src/edited.txt", file, new FileMeta(content.length, 0644, walkSaw, 1000, 1000));
        Map<String, byte[]> entries = finishAndRead();

        assertArrayEquals(content, entries.get("src/edited.txt"));
        assertTrue(problemsOf("src/edited.txt").stream().anyMatch(p -> p.contains("changed while being read")),
                manifest.warnings.toString());
    }

    @Test
    void fileThatGrewIsCutAtItsAnnouncedSizeAndWarned() throws IOException {
        byte[] content = "0123456789abcdefghij".getBytes(StandardCharsets.UTF_8);
        Path file = tmp.resolve("growing.log");
        Trees.write(file, content, "rw-r--r--");
        FileMeta seenByWalk = new FileMeta(10, 0644, Files.getLastModifiedTime(file), 1000, 1000);

        writer.file("src/growing.log", file, seenByWalk);
        Map<String, byte[]> entries = finishAndRead();

        byte[] stored = Arrays.copyOf(content, 10);
        assertArrayEquals(stored, entries.get("src/growing.log"));
        assertEquals(sha256(stored), entryOf("src/growing.log").sha256());
        assertTrue(problemsOf("src/growing.log").stream().anyMatch(p -> p.contains("changed while being read")),
                manifest.warnings.toString());
        assertTrue(problemsOf("src/growing.log").stream().noneMatch(p -> p.contains("shrank")));
    }

    @Test
    void fileReplacedByALinkBeforeItIsReadIsNotFollowed() throws IOException {
        Path secret = tmp.resolve("outside/secret");
        Trees.write(secret, "not for this backup".getBytes(StandardCharsets.UTF_8), "rw-------");
        Path file = tmp.resolve("src/notes.txt");
        Trees.write(file, "ordinary notes here".getBytes(StandardCharsets.UTF_8), "rw-r--r--");
        FileMeta seenByWalk = metaOf(file);
        Files.delete(file); // swapped by someone who may write the source but not read the secret
        Files.createSymbolicLink(file, secret);

        writer.file("src/notes.txt", file, seenByWalk);
        Map<String, byte[]> entries = finishAndRead();

        assertFalse(entries.containsKey("src/notes.txt"), "the link's target must not be stored under the name");
        assertTrue(problemsOf("src/notes.txt").stream().anyMatch(p -> p.contains("no longer a regular file")),
                manifest.warnings.toString());
    }

    @Test
    void fileReplacedByAFolderBeforeItIsReadIsLeftOutWithAWarning() throws IOException {
        Path file = tmp.resolve("src/becomes-dir");
        Trees.write(file, "soon a folder".getBytes(StandardCharsets.UTF_8), "rw-r--r--");
        FileMeta seenByWalk = metaOf(file);
        Files.delete(file);
        Files.createDirectory(file);
        Path after = tmp.resolve("src/after.txt");
        Trees.write(after, "after".getBytes(StandardCharsets.UTF_8), "rw-r--r--");

        writer.file("src/becomes-dir", file, seenByWalk);
        writer.file("src/after.txt", after, metaOf(after));
        Map<String, byte[]> entries = finishAndRead();

        assertFalse(entries.containsKey("src/becomes-dir"));
        assertTrue(problemsOf("src/becomes-dir").stream().anyMatch(p -> p.contains("no longer a regular file")),
                manifest.warnings.toString());
        assertTrue(entries.containsKey("src/after.txt"), "the backup went on");
    }

    @Test
    void permissionBitsAreFourOctalDigits() {
        for (int mode = 0; mode <= 07777; mode++) {
            assertEquals(String.format("%04o", mode), ArchiveWriter.octal(mode | 0100000));
        }
    }
}
