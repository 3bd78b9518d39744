package dev.firesafe.engine.restore;

import dev.firesafe.core.ExitCode;
import dev.firesafe.core.FiresafeException;
import dev.firesafe.archive.ArchiveWriter;
import dev.firesafe.archive.Compression;
import dev.firesafe.archive.Manifest;
import dev.firesafe.core.Progress;
import dev.firesafe.crypto.MasterKey;
import dev.firesafe.testing.CraftedBackups;
import dev.firesafe.testing.Fixtures;
import dev.firesafe.testing.Trees;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Streams of unknown length (a command's stdout) are stored as consecutive part entries and come back as one
 * file, checked against one manifest entry. A small part size makes many parts out of little data.
 */
class StreamedEntryTest {

    private static final String PLAN = "streams";
    private static final int PART = 1000;

    @TempDir
    Path tmp;

    private final MasterKey key = MasterKey.generate(65536);

    private Path target() {
        return tmp.resolve("target");
    }

    private String craft(Body body) throws IOException {
        return CraftedBackups.write(target(), PLAN, key, Compression.ZSTD, plain -> {
            Manifest manifest = CraftedBackups.manifest(PLAN);
            try (ArchiveWriter w = new ArchiveWriter(plain, manifest, n -> {
            }, PART)) {
                body.write(w, manifest, plain);
                w.finish(Instant.now());
            }
        });
    }

    @FunctionalInterface
    private interface Body {
        void write(ArchiveWriter writer, Manifest manifest, OutputStream plain) throws IOException;
    }

    private static byte[] random(int size) {
        byte[] b = new byte[size];
        new Random(size).nextBytes(b);
        return b;
    }

    @Test
    void aStreamOfManyPartsComesBackAsOneFileWithOneManifestEntry() throws Exception {
        byte[] big = random(PART * 3 + 17);
        byte[] exact = random(PART * 2);
        Manifest[] seen = new Manifest[1];
        String id = craft((w, m, plain) -> {
            w.stream("db/big.dump", new ByteArrayInputStream(big), 0600, Instant.parse("2026-01-02T03:04:05Z"));
            w.stream("db/exact.dump", new ByteArrayInputStream(exact), 0600, Instant.now());
            w.stream("empty.out", new ByteArrayInputStream(new byte[0]), 0644, Instant.now());
            seen[0] = m;
        });
        Manifest.Entry entry = seen[0].entries.get(0);
        assertEquals(new Manifest.Entry("db/big.dump", Manifest.Entry.STREAM, (long) big.length, "0600",
                "2026-01-02T03:04:05Z", HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(big)),
                null, 4), entry);
        assertEquals(2, seen[0].entries.get(1).parts(), "an exact multiple needs no empty extra part");
        assertEquals(1, seen[0].entries.get(2).parts(), "an empty stream is one empty part");

        RestoreService restore = Fixtures.restoreService(key, tmp);
        RestoreResult verified = restore.verify(target().toString(), id, PLAN, Progress.NONE);
        assertEquals(3, verified.files());
        Path out = tmp.resolve("out");
        RestoreResult restored = restore.restore(target().toString(), id, PLAN, out, false, Progress.NONE);
        assertEquals(big.length + exact.length, restored.bytes());
        assertArrayEquals(big, Files.readAllBytes(out.resolve("db/big.dump")));
        assertArrayEquals(exact, Files.readAllBytes(out.resolve("db/exact.dump")));
        assertEquals(0, Files.size(out.resolve("empty.out")));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(
                out.resolve("db/big.dump"))));
        try (var files = Files.walk(out)) {
            assertEquals(List.of(), files.filter(p -> p.toString().contains(".part0")).toList(),
                    "parts are reassembled, never left as files");
        }
    }

    /**
     * A backup whose stream "s.bin" is written entry by entry by hand: only the given {@code parts} of {@code data},
     * each entry shaped further by {@code shape}, then the manifest a real writer made for the whole stream.
     */
    private String handWrittenParts(byte[] data, int[] parts, Consumer<TarArchiveEntry> shape) throws IOException {
        return CraftedBackups.write(target(), PLAN, key, Compression.ZSTD, plain -> {
            Manifest real = CraftedBackups.manifest(PLAN);
            try (ArchiveWriter w = new ArchiveWriter(OutputStream.nullOutputStream(), real, n -> {
            }, PART)) {
                w.stream("s.bin", new ByteArrayInputStream(data), 0600, Instant.now());
            }
            TarArchiveOutputStream tar = new TarArchiveOutputStream(plain, StandardCharsets.UTF_8.name());
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (int part : parts) {
                TarArchiveEntry e = new TarArchiveEntry(ArchiveWriter.partName("s.bin", part), TarConstants.LF_NORMAL);
                int size = Math.min(PART, data.length - (part - 1) * PART);
                e.setSize(size);
                e.addPaxHeader(ArchiveWriter.PAX_STREAM, "s.bin");
                e.addPaxHeader(ArchiveWriter.PAX_PART, Integer.toString(part));
                shape.accept(e);
                tar.putArchiveEntry(e);
                tar.write(data, (part - 1) * PART, size);
                tar.closeArchiveEntry();
            }
            byte[] json = real.toJson();
            TarArchiveEntry m = new TarArchiveEntry(Manifest.ENTRY_NAME);
            m.setSize(json.length);
            tar.putArchiveEntry(m);
            tar.write(json);
            tar.closeArchiveEntry();
            tar.finish();
        });
    }

    @Test
    void aMissingPartIsAnIntegrityFailure() throws IOException {
        String id = handWrittenParts(random(PART * 3), new int[] {1, 3}, e -> { });
        FiresafeException e = assertThrows(FiresafeException.class, () -> Fixtures.restoreService(key, tmp)
                .verify(target().toString(), id, PLAN, Progress.NONE));
        assertEquals(ExitCode.INTEGRITY, e.exitCode(), e.getMessage());
        assertTrue(e.getMessage().contains("s.bin") && e.getMessage().contains("jumps from part 1 to 3"),
                e.getMessage());
    }

    /**
     * Streams get the same setuid/setgid rule as files: the bits come back only where the restored file has the
     * owner (group) the archive recorded. Firesafe writes streams 0600, so only a crafted archive has such a stream.
     */
    @Test
    void aSetuidStreamOfAnotherOwnerComesBackWithoutItsSetuidBit() throws IOException {
        byte[] data = random(PART * 2 + 5);
        String id = handWrittenParts(data, new int[] {1, 2, 3}, e -> {
            e.setMode(0100000 | 06755);
            e.setUserId(4321);
            e.setGroupId(4321);
        });
        Path out = tmp.resolve("out");
        RestoreResult restored = Fixtures.restoreService(key, tmp)
                .restore(target().toString(), id, PLAN, out, false, Progress.NONE);
        assertArrayEquals(data, Files.readAllBytes(out.resolve("s.bin")));
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve("s.bin"))));
        assertEquals(0, (Integer) Files.getAttribute(out.resolve("s.bin"), "unix:mode") & 06000,
                "no setuid/setgid bit for a file this restore did not give owner 4321");
        assertTrue(restored.restoreWarnings().stream().anyMatch(w -> w.startsWith("s.bin: ")
                && w.contains("setuid (owner 4321)") && w.contains("setgid (group 4321)")),
                restored.restoreWarnings().toString());
    }

    @Test
    void aStreamWhoseManifestEntrySaysOtherwiseIsAnIntegrityFailure() throws IOException {
        String id = craft((w, m, plain) -> {
            w.stream("s.bin", new ByteArrayInputStream(random(2500)), 0600, Instant.now());
            Manifest.Entry e = m.entries.remove(0);
            m.entries.add(new Manifest.Entry(e.path(), e.type(), e.size(), e.mode(), e.mtime(), e.sha256(), null,
                    e.parts() - 1)); // a part count that does not match what is stored
        });
        FiresafeException e = assertThrows(FiresafeException.class, () -> Fixtures.restoreService(key, tmp)
                .restore(target().toString(), id, PLAN, tmp.resolve("out"), false, Progress.NONE));
        assertEquals(ExitCode.INTEGRITY, e.exitCode(), e.getMessage());
        assertTrue(e.getMessage().contains("s.bin: streamed content"), e.getMessage());
    }

    @Test
    void aPartEntryWhoseNameDoesNotMatchItsStreamIsRefused() throws IOException {
        Path payload = tmp.resolve("p");
        Trees.write(payload, "x".getBytes(StandardCharsets.UTF_8), "rw-r--r--");
        String id = CraftedBackups.write(target(), PLAN, key, Compression.ZSTD, plain -> {
            TarArchiveOutputStream tar = new TarArchiveOutputStream(plain, StandardCharsets.UTF_8.name());
            TarArchiveEntry e = new TarArchiveEntry("elsewhere.part000001", TarConstants.LF_NORMAL);
            e.setSize(1);
            e.addPaxHeader(ArchiveWriter.PAX_STREAM, "../escape");
            e.addPaxHeader(ArchiveWriter.PAX_PART, "1");
            tar.putArchiveEntry(e);
            tar.write('x');
            tar.closeArchiveEntry();
            tar.finish();
        });
        FiresafeException e = assertThrows(FiresafeException.class, () -> Fixtures.restoreService(key, tmp)
                .restore(target().toString(), id, PLAN, tmp.resolve("out"), false, Progress.NONE));
        assertEquals(ExitCode.INTEGRITY, e.exitCode(), e.getMessage());
        assertTrue(Files.notExists(tmp.resolve("escape")));
    }
}
