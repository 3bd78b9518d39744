package dev.firesafe.engine.restore;

import dev.firesafe.archive.Compression;
import dev.firesafe.archive.Manifest;
import dev.firesafe.core.ExitCode;
import dev.firesafe.core.FiresafeException;
import dev.firesafe.testing.CraftedBackups;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Format-1 archives that are malformed inside a valid ciphertext (issue #18, point 6): sealed with the right key,
 * so decryption succeeds and only the tar inside is wrong. Each is damage (exit 4) with a message that says so,
 * for verify as for restore: never "internal error" (1), never the destination's fault (8), never a silent file.
 */
class MalformedArchiveTest {

    @TempDir
    Path tmp;

    private CraftedRestore fx;

    @BeforeEach
    void setUp() throws IOException {
        fx = new CraftedRestore(tmp);
    }

    private String craftTar(TarBody body) throws IOException {
        return CraftedBackups.write(fx.target, CraftedRestore.PLAN, fx.key, Compression.ZSTD, plain -> {
            TarArchiveOutputStream tar = new TarArchiveOutputStream(plain, StandardCharsets.UTF_8.name());
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            body.write(tar);
            tar.flush();
        });
    }

    @FunctionalInterface
    private interface TarBody {
        void write(TarArchiveOutputStream tar) throws IOException;
    }

    private void assertDamaged(String id, String... words) throws IOException {
        for (FiresafeException e : new FiresafeException[] {fx.verifyFails(id), fx.restoreFails(id, false)}) {
            assertEquals(ExitCode.INTEGRITY, e.exitCode(), e.getMessage());
            for (String w : words) {
                assertTrue(e.getMessage().contains(w), "message should say '" + w + "': " + e.getMessage());
            }
        }
        try (var outside = Files.list(fx.outside)) {
            assertEquals(0, outside.count(), "nothing outside the destination");
        }
    }

    private static void putFile(TarArchiveOutputStream tar, String name, byte[] content) throws IOException {
        putFile(tar, new TarArchiveEntry(name, TarConstants.LF_NORMAL), content);
    }

    private static void putFile(TarArchiveOutputStream tar, TarArchiveEntry e, byte[] content) throws IOException {
        e.setSize(content.length);
        e.setModTime(FileTime.from(Instant.parse("2026-01-02T03:04:05Z")));
        tar.putArchiveEntry(e);
        tar.write(content);
        tar.closeArchiveEntry();
    }

    @Test
    void aGarbageHeaderBlockIsDamageNotAnInternalError() throws IOException {
        String id = CraftedBackups.write(fx.target, CraftedRestore.PLAN, fx.key, Compression.ZSTD, plain -> {
            CraftedRestore.rawTarFile(plain, "data/ok.txt", "ok\n".getBytes(StandardCharsets.UTF_8));
            CraftedRestore.garbageBlockThenEnd(plain);
        });
        assertDamaged(id, "malformed");
    }

    /** Compressed data that zstd cannot read, inside a valid ciphertext: damage (it was "internal error"). */
    @Test
    void compressedDataThatDoesNotDecompressIsDamage() throws IOException {
        String id = dev.firesafe.repository.BackupId.next(Instant.now());
        dev.firesafe.crypto.BackupHeader header = dev.firesafe.crypto.ArchiveCipher.headerFor(id,
                CraftedRestore.PLAN, Instant.now().toString(), Compression.ZSTD.id, fx.key);
        dev.firesafe.store.Store.Upload upload = new dev.firesafe.store.local.LocalStore(fx.target)
                .create(dev.firesafe.repository.BackupCatalog.objectName(CraftedRestore.PLAN, id));
        try (java.io.OutputStream encrypted = dev.firesafe.crypto.ArchiveCipher.encrypt(upload.stream(), header,
                fx.key)) {
            byte[] garbage = new byte[4096];
            new java.util.Random(7).nextBytes(garbage);
            encrypted.write(garbage);
        }
        upload.commit();
        assertDamaged(id, "malformed", "compressed");
    }

    @Test
    void anEntryClaimingMoreThanItHoldsIsDamage() throws IOException {
        String id = craftTar(tar -> {
            TarArchiveEntry e = new TarArchiveEntry("data/huge.bin", TarConstants.LF_NORMAL);
            e.setSize(10L << 30); // 10 GiB claimed ...
            tar.putArchiveEntry(e);
            tar.write(new byte[1 << 20]); // ... 1 MiB given, then the archive ends
        });
        assertDamaged(id, "malformed");
    }

    /** PAX sparse headers (GNU 0.0, 0.1 and 1.0) whose real size does not fit the reader's int: damage. */
    @Test
    void aSparseEntryWithAnAbsurdRealSizeIsDamage() throws IOException {
        String[][] variants = {
                {"GNU.sparse.size", "10737418240", "GNU.sparse.numblocks", "1", "GNU.sparse.offset", "0",
                        "GNU.sparse.numbytes", "10737418240"},
                {"GNU.sparse.size", "10737418240", "GNU.sparse.map", "0,10737418240"},
                {"GNU.sparse.realsize", "10737418240", "GNU.sparse.major", "1", "GNU.sparse.minor", "0",
                        "GNU.sparse.name", "data/sparse.img"}};
        for (String[] pax : variants) {
            String id = craftTar(tar -> {
                putPaxHeaders(tar, pax);
                TarArchiveEntry e = new TarArchiveEntry("data/sparse.img", TarConstants.LF_NORMAL);
                byte[] block = Arrays.copyOf("1\n0\n10737418240\n".getBytes(StandardCharsets.US_ASCII), 512);
                e.setSize(block.length);
                tar.putArchiveEntry(e);
                tar.write(block);
                tar.closeArchiveEntry();
                Manifest manifest = CraftedBackups.manifest(CraftedRestore.PLAN);
                manifest.entries.add(new Manifest.Entry("data/sparse.img", Manifest.Entry.FILE, 10737418240L,
                        "0644", "2026-01-02T03:04:05Z", "00".repeat(32), null));
                putFile(tar, Manifest.ENTRY_NAME, manifest.toJson());
                tar.finish();
            });
            assertDamaged(id, "malformed");
        }
    }

    /** A PAX extended header entry as written, unchecked (the library's writer checks the sparse ones). */
    private static void putPaxHeaders(TarArchiveOutputStream tar, String... keyValues) throws IOException {
        StringBuilder records = new StringBuilder();
        for (int i = 0; i < keyValues.length; i += 2) {
            String line = " " + keyValues[i] + "=" + keyValues[i + 1] + "\n";
            int length = line.length() + 2;
            length = line.length() + String.valueOf(length).length();
            records.append(length).append(line);
        }
        TarArchiveEntry pax = new TarArchiveEntry("PaxHeaders/sparse.img", TarConstants.LF_PAX_EXTENDED_HEADER_LC);
        putFile(tar, pax, records.toString().getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aFileBelowAFileOfTheSameArchiveFailsVerifyToo() throws IOException {
        String id = fx.craft((w, m) -> {
            w.directory("data", CraftedBackups.meta(0));
            w.file("data/x", fx.payload, CraftedBackups.meta(6));
            w.file("data/x/y", fx.payload, CraftedBackups.meta(6));
        });
        assertDamaged(id, "data/x/y", "data/x");
    }

    @Test
    void aFileWhereAFolderOfTheSameArchiveIsFailsVerifyToo() throws IOException {
        String id = fx.craft((w, m) -> {
            w.file("data/x/y", fx.payload, CraftedBackups.meta(6));
            w.file("data/x", fx.payload, CraftedBackups.meta(6));
        });
        assertDamaged(id, "data/x");
    }

    /**
     * Devices and FIFOs: a backup never stores one (it skips them with a warning), so one in an archive was not put
     * there by Firesafe. Refused (it used to become an empty regular file without a word).
     */
    @Test
    void devicesAndFifosAreRefusedNotWrittenAsEmptyFiles() throws IOException {
        for (byte kind : new byte[] {TarConstants.LF_CHR, TarConstants.LF_BLK, TarConstants.LF_FIFO}) {
            String id = craftTar(tar -> {
                TarArchiveEntry e = new TarArchiveEntry("data/dev", kind);
                e.setDevMajor(1);
                e.setDevMinor(3);
                tar.putArchiveEntry(e);
                tar.closeArchiveEntry();
                Manifest manifest = CraftedBackups.manifest(CraftedRestore.PLAN);
                manifest.entries.add(new Manifest.Entry("data/dev", Manifest.Entry.FILE, 0L, "0644",
                        "2026-01-02T03:04:05Z",
                        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", null));
                putFile(tar, Manifest.ENTRY_NAME, manifest.toJson());
                tar.finish();
            });
            assertDamaged(id, "data/dev", kind == TarConstants.LF_FIFO ? "FIFO" : "device");
            assertFalse(Files.exists(fx.dest.resolve("data/dev")), "no empty file in its place");
        }
    }
}
