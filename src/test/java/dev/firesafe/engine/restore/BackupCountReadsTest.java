package dev.firesafe.engine.restore;

import dev.firesafe.app.Services;
import dev.firesafe.archive.Compression;
import dev.firesafe.core.Progress;
import dev.firesafe.crypto.MasterKey;
import dev.firesafe.engine.backup.BackupResult;
import dev.firesafe.plan.Plan;
import dev.firesafe.plan.Retention;
import dev.firesafe.plan.SourceSpec;
import dev.firesafe.repository.BackupCatalog;
import dev.firesafe.store.local.LocalStore;
import dev.firesafe.testing.Fixtures;
import dev.firesafe.testing.ReadCountingStore;
import dev.firesafe.testing.TestClock;
import dev.firesafe.testing.Trees;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #20 point 8: "{@code list} and {@code verify} times grow with what they read, not with the number of
 * backups". What {@code verify ID} and {@code verify latest} (the read path of {@code restore}) fetch from the target
 * is counted with 3 backups and again with 25: a backup reads its own object and the objects its chunks are in,
 * never the other backups'; {@code verify all} reads each object once, so its reads grow with the bytes stored.
 */
class BackupCountReadsTest {

    @TempDir
    Path tmp;

    private final MasterKey key = MasterKey.generate(65536);
    private final TestClock clock = new TestClock("2026-03-01T00:00:00Z");
    private Path source;
    private Path target;

    private Services services() {
        return Fixtures.services(Fixtures.configWithKey(key, tmp), clock);
    }

    private String backup() {
        clock.advance(Duration.ofHours(1));
        Plan plan = new Plan("p", List.of(SourceSpec.of(source.toString())), List.of(target.toString()),
                Compression.ZSTD, Retention.KEEP_ALL);
        BackupResult r = services().backups().run(plan, Progress.NONE, false);
        assertTrue(r.ok(), r.toString());
        return r.id();
    }

    private void write(int file, long seed) throws IOException {
        byte[] b = new byte[256 << 10];
        new Random(seed).nextBytes(b);
        Trees.write(source.resolve("f" + file), b, "rw-r--r--");
    }

    /** Bytes read from each object by a verify of {@code id} ("latest" or an id), by object name. */
    private Map<String, Long> verifyReads(String id) {
        ReadCountingStore counting = new ReadCountingStore(new LocalStore(target));
        RestoreResult r = new RestoreService(services().keys(), services().stores()).verifyOne(counting, id, "p");
        assertEquals(8, r.files());
        return reads(counting);
    }

    private Map<String, Long> reads(ReadCountingStore counting) {
        Map<String, Long> byName = new TreeMap<>();
        try (Stream<Path> files = Files.list(target.resolve("p"))) {
            files.forEach(f -> {
                String name = "p/" + f.getFileName();
                if (counting.read(name) > 0) {
                    byName.put(name, counting.read(name));
                }
            });
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return byName;
    }

    @Test
    void verifyOfOneBackupReadsTheSameWithThreeBackupsAsWithTwentyFive() throws IOException {
        source = Files.createDirectories(tmp.resolve("data"));
        target = tmp.resolve("target");
        for (int i = 0; i < 8; i++) {
            write(i, i);
        }
        String first = backup();
        String latest = null;
        for (int b = 1; b <= 2; b++) {
            write(0, 100 + b); // one file changes: each backup needs its own object and the first one
            latest = backup();
        }
        Map<String, Long> firstAt3 = verifyReads(first);
        Map<String, Long> latestAt3 = verifyReads("latest");
        assertEquals(List.of(BackupCatalog.objectName("p", first)), List.copyOf(firstAt3.keySet()),
                "verify of the first backup reads only its object: " + firstAt3);
        assertEquals(List.of(BackupCatalog.objectName("p", first), BackupCatalog.objectName("p", latest)),
                List.copyOf(latestAt3.keySet()), "verify latest reads its object and the first: " + latestAt3);

        for (int b = 3; b <= 24; b++) {
            write(0, 100 + b);
            latest = backup();
        }
        assertEquals(25, BackupCatalog.list(new LocalStore(target), "p").size());
        assertEquals(firstAt3, verifyReads(first), "25 backups: verify of the first reads what it did with 3");
        Map<String, Long> latestAt25 = verifyReads("latest");
        assertEquals(List.of(BackupCatalog.objectName("p", first), BackupCatalog.objectName("p", latest)),
                List.copyOf(latestAt25.keySet()), "25 backups: verify latest reads its object and the first, "
                        + "none of the 23 others: " + latestAt25);
        long at3 = latestAt3.values().stream().mapToLong(Long::longValue).sum();
        long at25 = latestAt25.values().stream().mapToLong(Long::longValue).sum();
        assertTrue(Math.abs(at25 - at3) <= at3 / 20, "verify latest read " + at3 + " bytes with 3 backups and "
                + at25 + " with 25");

        ReadCountingStore counting = new ReadCountingStore(new LocalStore(target));
        VerifyAllResult all = services().restores().verifyAll(counting, "p", Progress.NONE);
        assertTrue(all.ok(), all.toString());
        long stored;
        try (Stream<Path> files = Files.list(target.resolve("p"))) {
            stored = files.mapToLong(f -> f.toFile().length()).sum();
        }
        Map<String, Long> allReads = reads(counting);
        assertEquals(25, allReads.size(), "verify all reads every object: " + allReads);
        long read = counting.total();
        assertTrue(read <= stored * 1.25, "verify all reads each object once: " + read + " bytes of " + stored
                + " stored");
    }

    /**
     * Small files share blocks, so in a backup where every other file changed, the walk alternates between a block of
     * the first object and one of its own. Each block is read once: before, one decoded block was kept for the whole
     * restore, and going back to the first object's block read and decoded it again for every unchanged file (the
     * benchmark's restore of the newest of ten backups cost ~1.7 s more CPU than a full backup's).
     */
    @Test
    void alternatingBetweenTwoObjectsBlocksReadsEachBlockOnce() throws IOException {
        source = Files.createDirectories(tmp.resolve("data"));
        target = tmp.resolve("target");
        for (int i = 0; i < 40; i++) {
            Trees.write(source.resolve(String.format("s%02d", i)), small(i), "rw-r--r--");
        }
        String first = backup();
        for (int i = 0; i < 40; i += 2) {
            Trees.write(source.resolve(String.format("s%02d", i)), small(1000 + i), "rw-r--r--");
        }
        backup();
        ReadCountingStore counting = new ReadCountingStore(new LocalStore(target));
        RestoreResult r = new RestoreService(services().keys(), services().stores()).verifyOne(counting, "latest",
                "p");
        assertEquals(40, r.files());
        String firstObject = BackupCatalog.objectName("p", first);
        long size = target.resolve(firstObject).toFile().length();
        assertTrue(counting.read(firstObject) <= size, "the first object (" + size + " bytes) was read "
                + counting.read(firstObject) + " bytes' worth");
    }

    private static byte[] small(long seed) {
        byte[] b = new byte[8 << 10];
        new Random(seed).nextBytes(b);
        return b;
    }
}
