package dev.firesafe.engine.restore;

import dev.firesafe.core.ExitCode;
import dev.firesafe.core.FiresafeException;
import dev.firesafe.archive.ArchiveWriter;
import dev.firesafe.archive.Compression;
import dev.firesafe.archive.FileNames;
import dev.firesafe.testing.CraftedBackups;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Review 2: crafted archives against the exact-bytes headers (FIRESAFE.name-bytes / link-bytes). */
class ExactBytesAttackTest {

    @TempDir
    Path tmp;

    private CraftedRestore fx;

    @BeforeEach
    void setUp() throws IOException {
        fx = new CraftedRestore(tmp);
    }

    private void refusedEverywhere(String id, String word) throws IOException {
        FiresafeException r = fx.restoreFails(id, false);
        assertEquals(ExitCode.INTEGRITY, r.exitCode(), r.getMessage());
        assertTrue(r.getMessage().contains(word), r.getMessage());
        FiresafeException v = fx.verifyFails(id);
        assertEquals(ExitCode.INTEGRITY, v.exitCode(), v.getMessage());
        assertOutsideUntouched();
    }

    private void assertOutsideUntouched() throws IOException {
        try (Stream<Path> all = Files.walk(fx.outside)) {
            assertEquals(List.of(fx.outside), all.toList());
        }
        try (Stream<Path> all = Files.list(tmp)) {
            // "restore" only while it holds what was written before the refusal: a restore that wrote nothing
            // removes the folder it made (issue #19)
            List<String> names = all.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")
                    && !n.equals("config") && !n.equals("home") && !n.equals("state")).sorted().toList();
            assertEquals(List.of("outside", "payload.txt", "target"), names.stream().filter(n -> !n.equals("restore"))
                    .toList(), "tmp");
        }
    }

    private static byte[] b(String latin1) {
        return latin1.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String shown(byte[] bytes) {
        return FileNames.decode(bytes).text();
    }

    @Test
    void slashInAnotherPlace() throws IOException {
        String id = fx.craft((w, m) -> {
            w.exactBytes("x\uFFFDFFy", b("x/\u00ffy"), null);
            w.file("x\uFFFDFFy", fx.payload, CraftedBackups.meta(6));
        });
        refusedEverywhere(id, "do not match");
    }

    @Test
    void dotDotAsExactBytesOfASpelledName() throws IOException {
        String id = fx.craft((w, m) -> {
            w.exactBytes("\uFFFDFF/x", b("../x"), null);
            w.file("\uFFFDFF/x", fx.payload, CraftedBackups.meta(6));
        });
        refusedEverywhere(id, "do not match");
    }

    @Test
    void leadingSlash() throws IOException {
        String name = "tmp/x\uFFFDFF";
        String id = fx.craft((w, m) -> {
            w.exactBytes(name, b("/tmp/x\u00ff"), null);
            w.file(name, fx.payload, CraftedBackups.meta(6));
        });
        refusedEverywhere(id, "do not match");
    }

    @Test
    void trailingSlashAndDoubleSlash() throws IOException {
        String id = fx.craft((w, m) -> {
            w.exactBytes("a/\uFFFDFF", b("a//\u00ff"), null);
            w.file("a/\uFFFDFF", fx.payload, CraftedBackups.meta(6));
        });
        refusedEverywhere(id, "do not match");
        String id2 = fx.craft((w, m) -> {
            w.exactBytes("a/\uFFFDFF", b("a/\u00ff/"), null);
            w.file("a/\uFFFDFF", fx.payload, CraftedBackups.meta(6));
        });
        FiresafeException e = fx.restoreFails(id2, false);
        assertTrue(e.getMessage().contains("do not match"), e.getMessage());
    }

    @Test
    void nulAndGarbage() throws IOException {
        String id = fx.craft((w, m) -> {
            w.exactBytes("\uFFFDFF", b("\u00ff\u0000"), null);
            w.file("\uFFFDFF", fx.payload, CraftedBackups.meta(6));
        });
        refusedEverywhere(id, "NUL");
    }

    @Test
    void base64GarbageAndExactBytesOnAPartOrLegacyEntry() throws IOException {
        for (String garbage : List.of("!!!!", "/w==\n", "_w", "/w= =", "")) {
            String id = CraftedBackups.write(fx.target, CraftedRestore.PLAN, fx.key, Compression.ZSTD, plain -> {
                org.apache.commons.compress.archivers.tar.TarArchiveOutputStream tar =
                        new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(plain);
                tar.setLongFileMode(org.apache.commons.compress.archivers.tar.TarArchiveOutputStream.LONGFILE_POSIX);
                var e = new org.apache.commons.compress.archivers.tar.TarArchiveEntry("\uFFFDFF");
                e.addPaxHeader(ArchiveWriter.PAX_NAME_BYTES, garbage);
                e.setSize(0);
                tar.putArchiveEntry(e);
                tar.closeArchiveEntry();
                tar.finish();
            });
            FiresafeException r = fx.restoreFails(id, false);
            assertEquals(ExitCode.INTEGRITY, r.exitCode(), garbage + ": " + r.getMessage());
            FiresafeException v = fx.verifyFails(id);
            assertEquals(ExitCode.INTEGRITY, v.exitCode(), v.getMessage());
            assertOutsideUntouched();
        }
    }

    /** Two raw names, both realisable (57..64 bytes), whose spelling is cut to the same text (CRC-32 clash). */
    static byte[][] crcCollision() {
        Random random = new Random(7);
        Map<Long, byte[]> seen = new HashMap<>();
        byte[] prefix = new byte[60];
        Arrays.fill(prefix, (byte) 0xff);
        while (true) {
            byte[] raw = Arrays.copyOf(prefix, 68);
            for (int i = 60; i < 68; i++) {
                raw[i] = (byte) (0x80 + random.nextInt(0x80));
            }
            CRC32 crc = new CRC32();
            crc.update(raw);
            byte[] other = seen.put(crc.getValue(), raw);
            if (other != null && !Arrays.equals(other, raw)) {
                return new byte[][] {other, raw};
            }
        }
    }

    @Test
    void crcCollisionGivesTwoRawNamesOneText() {
        byte[][] c = crcCollision();
        assertFalse(Arrays.equals(c[0], c[1]));
        assertEquals(shown(c[0]), shown(c[1]));
        assertFalse(shown(c[0]).contains("/"));
    }

    private static byte[] concat(byte[] a, String b) {
        byte[] tail = b.getBytes(StandardCharsets.UTF_8);
        byte[] out = Arrays.copyOf(a, a.length + tail.length);
        System.arraycopy(tail, 0, out, a.length, tail.length);
        return out;
    }

    @Test
    void crcCollisionLinkThenFileUnderTheOtherRawNameIsRefused() throws IOException {
        byte[][] c = crcCollision();
        String text = shown(c[0]);
        String id = fx.craft((w, m) -> {
            w.exactBytes(text, c[0], null);
            w.symlink(text, fx.outside.toString(), CraftedBackups.meta(0));
            w.exactBytes(text + "/f", concat(c[1], "/f"), null);
            w.file(text + "/f", fx.payload, CraftedBackups.meta(6));
        });
        refusedEverywhere(id, "symbolic link");
    }

    @Test
    void crcCollisionFileUnderTheOtherRawNameOfAFolderLandsInsideDest() throws IOException {
        byte[][] c = crcCollision();
        String text = shown(c[0]);
        String id = fx.craft((w, m) -> {
            w.exactBytes(text, c[0], null);
            w.directory(text, CraftedBackups.meta(0));
            w.exactBytes(text + "/f", concat(c[1], "/f"), null);
            w.file(text + "/f", fx.payload, CraftedBackups.meta(6));
        });
        fx.restoreOk(id);
        assertTrue(Files.isDirectory(fx.dest.resolve(FileNames.path(c[0]))));
        assertTrue(Files.isRegularFile(fx.dest.resolve(FileNames.path(concat(c[1], "/f")))));
        assertOutsideUntouched();
    }

    @Test
    void linkBytesPointingOutsideThenEntryThroughTheLink() throws IOException {
        String id = fx.craft((w, m) -> {
            w.exactBytes("\uFFFDFF", b("\u00ff"), (fx.outside + "/\u00ff").getBytes(StandardCharsets.ISO_8859_1));
            w.symlink("\uFFFDFF", fx.outside + "/\uFFFDFF", CraftedBackups.meta(0));
            w.exactBytes("\uFFFDFF/f", b("\u00ff/f"), null);
            w.file("\uFFFDFF/f", fx.payload, CraftedBackups.meta(6));
        });
        refusedEverywhere(id, "symbolic link");
    }

    @Test
    void linkViaPlainNameThenFileWhoseBytesEqualTheLinksUtf8() throws IOException {
        // link shown "\uFFFDFF" without exact bytes lands at EF BF BD 46 46; a file with exact bytes of the
        // same UTF-8 shows as the same text, so it is under the link by text too.
        String id = fx.craft((w, m) -> {
            w.symlink("\uFFFDFF", fx.outside.toString(), CraftedBackups.meta(0));
            byte[] bytes = "\uFFFDFF/".getBytes(StandardCharsets.UTF_8);
            bytes = Arrays.copyOf(bytes, bytes.length + 1);
            bytes[bytes.length - 1] = (byte) 0xfe;
            w.exactBytes("\uFFFDFF/\uFFFDFE", bytes, null);
            w.file("\uFFFDFF/\uFFFDFE", fx.payload, CraftedBackups.meta(6));
        });
        FiresafeException e = fx.restoreFails(id, false);
        assertEquals(ExitCode.INTEGRITY, e.exitCode(), e.getMessage());
        assertOutsideUntouched();
    }

    @Test
    void linkBytesOnAFileAreIgnored() throws IOException {
        String id = fx.craft((w, m) -> {
            w.exactBytes("f", null, b("../../../etc/passwd"));
            w.file("f", fx.payload, CraftedBackups.meta(6));
        });
        fx.restoreOk(id);
        assertTrue(Files.isRegularFile(fx.dest.resolve("f"), LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void duplicateNameDifferentBytes() throws IOException {
        byte[][] c = crcCollision();
        String text = shown(c[0]);
        String id = fx.craft((w, m) -> {
            w.exactBytes(text, c[0], null);
            w.file(text, fx.payload, CraftedBackups.meta(6));
            w.exactBytes(text, c[1], null);
            w.file(text, fx.payload, CraftedBackups.meta(6));
        });
        refusedEverywhere(id, "twice");
    }

    @Test
    void forcedRestoreOverAnExistingRawSymlinkIsRefused() throws IOException {
        Files.createDirectories(fx.dest);
        Files.createSymbolicLink(fx.dest.resolve(FileNames.path(b("\u00ff"))), fx.outside);
        String id = fx.craft((w, m) -> {
            w.exactBytes("\uFFFDFF/f", b("\u00ff/f"), null);
            w.file("\uFFFDFF/f", fx.payload, CraftedBackups.meta(6));
        });
        FiresafeException e = fx.restoreFails(id, true);
        assertEquals(ExitCode.INTEGRITY, e.exitCode(), e.getMessage());
        assertOutsideUntouched();
    }

    @Test
    void hugeNameHeader() throws IOException {
        byte[] raw = new byte[4 << 20];
        Arrays.fill(raw, (byte) 'a');
        raw[0] = (byte) 0xff;
        String text = shown(raw);
        String id = fx.craft((w, m) -> {
            w.exactBytes(text, raw, null);
            w.file(text, fx.payload, CraftedBackups.meta(6));
        });
        FiresafeException e = fx.restoreFails(id, false);
        // no file system takes a 4 MiB name: refused where it would be created, as any name too long for the
        // destination is (a legitimate one gets there under a long --to path), never as an internal error
        assertEquals(ExitCode.DESTINATION, e.exitCode(), e.getMessage());
        assertTrue(e.getMessage().contains("File name too long"), e.getMessage().substring(0, 300));
        assertTrue(e.getMessage().length() < 2000, "an error to read, not a 4 MiB name: " + e.getMessage().length());
        assertOutsideUntouched();
    }

    @Test
    void pathOfBytesRoundTripsEveryByteInEveryPosition() {
        for (int v = 1; v < 256; v++) {
            if (v == '/') {
                continue;
            }
            for (byte[] raw : List.of(new byte[] {(byte) v}, new byte[] {'a', (byte) v}, new byte[] {(byte) v, 'a'},
                    new byte[] {'a', (byte) v, 'b'}, new byte[] {'d', '/', (byte) v, (byte) v},
                    new byte[] {(byte) v, '/', (byte) v})) {
                Path p = FileNames.path(raw);
                assertFalse(p.isAbsolute());
                assertArrayEquals(raw, FileNames.bytes(p), "byte " + v);
                Path r = Path.of("/dest").resolve(p).normalize();
                assertTrue(r.startsWith("/dest"));
                assertEquals(countSlashes(raw) + 1, p.getNameCount(), "byte " + v);
            }
        }
    }

    private static long countSlashes(byte[] raw) {
        long n = 0;
        for (byte x : raw) {
            if (x == '/') {
                n++;
            }
        }
        return n;
    }

    private static long countNonSlash(byte[] raw) {
        return raw.length - countSlashes(raw);
    }
}
