package dev.firesafe.engine.restore;

import dev.firesafe.archive.Compression;
import dev.firesafe.engine.backup.BackupResult;
import dev.firesafe.core.Progress;
import dev.firesafe.crypto.MasterKey;
import dev.firesafe.plan.Plan;
import dev.firesafe.plan.Retention;
import dev.firesafe.plan.SourceSpec;
import dev.firesafe.testing.Fixtures;
import dev.firesafe.testing.Trees;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** restore --sparse: the same bytes read back, with runs of zeros as holes that take no room. */
class SparseRestoreTest {

    @TempDir
    Path tmp;

    /** Bytes the file system allocated for {@code file} (stat's block count, 512-byte units). */
    private static long allocated(Path file) throws IOException, InterruptedException {
        Process stat = new ProcessBuilder("stat", "-c", "%b", file.toString()).start();
        String blocks = new String(stat.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
        assertTrue(stat.waitFor(30, TimeUnit.SECONDS));
        return Long.parseLong(blocks) * 512;
    }

    /** Data and zero runs of awkward lengths and alignments, ending in zeros. */
    private static byte[] mostlyZeros() {
        byte[] content = new byte[(16 << 20) + 12345];
        Random random = new Random(3);
        for (int[] data : new int[][] {{0, 100}, {4095, 2}, {10_000, 70_000}, {5 << 20, 4096}, {(9 << 20) + 1, 1}}) {
            byte[] run = new byte[data[1]];
            random.nextBytes(run);
            System.arraycopy(run, 0, content, data[0], run.length);
        }
        return content;
    }

    @Test
    void zerosBecomeHolesAndTheBytesReadBackTheSameWhateverTheChunks() throws Exception {
        byte[] content = mostlyZeros();
        for (int chunk : new int[] {1, 1000, 4096, 8191, 512 << 10}) {
            Path file = tmp.resolve("chunks-" + chunk);
            try (SparseOutput out = new SparseOutput(FileChannel.open(file, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE))) {
                for (int off = 0; off < content.length; off += chunk) {
                    out.write(content, off, Math.min(chunk, content.length - off));
                }
            }
            assertArrayEquals(content, Files.readAllBytes(file), "chunks of " + chunk);
            assertTrue(allocated(file) < 1 << 20, "chunks of " + chunk + ": " + allocated(file) + " bytes allocated "
                    + "for ~80 KiB of data in 16 MiB");
        }
    }

    @Test
    void aFileOfZerosShorterThanABlockIsWrittenAsIs() throws IOException {
        Path file = tmp.resolve("small");
        try (SparseOutput out = new SparseOutput(FileChannel.open(file, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE))) {
            out.write(new byte[1000], 0, 1000);
        }
        assertEquals(1000, Files.size(file));
    }

    @Test
    void restoreSparseGivesTheSameTreeInLessRoom() throws Exception {
        Path source = Trees.everyKind(tmp.resolve("tree"));
        Path image = source.resolve("vm/disk.img");
        Files.createDirectories(image.getParent());
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            f.setLength(64L << 20); // a sparse 64 MiB image with a little data
            f.seek(32L << 20);
            f.write("boot sector and friends".getBytes(StandardCharsets.US_ASCII));
        }
        MasterKey key = MasterKey.generate(65536);
        Path target = tmp.resolve("target");
        BackupResult backup = Fixtures.backupService(key, tmp).run(new Plan("sparse", List.of(SourceSpec.of(
                source.toString())), List.of(target.toString()), Compression.ZSTD, Retention.KEEP_ALL), Progress.NONE);
        assertTrue(backup.ok(), backup.toString());

        Path dense = tmp.resolve("dense");
        Path sparse = tmp.resolve("sparse");
        RestoreService restore = Fixtures.restoreService(key, tmp);
        restore.restore(target.toString(), "latest", null, dense, false, Progress.NONE);
        restore.restore(target.toString(), "latest", null, sparse, new RestoreOptions(false, List.of(), true),
                Progress.NONE);

        assertEquals(Trees.describe(source), Trees.describe(sparse.resolve("tree")));
        assertEquals(Trees.describe(dense.resolve("tree")), Trees.describe(sparse.resolve("tree")));
        assertTrue(allocated(dense.resolve("tree/vm/disk.img")) >= 64L << 20, "without --sparse: every byte");
        assertTrue(allocated(sparse.resolve("tree/vm/disk.img")) < 1 << 20, "with --sparse: the data only");
    }
}
