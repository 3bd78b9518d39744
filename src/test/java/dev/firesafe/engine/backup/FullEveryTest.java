package dev.firesafe.engine.backup;

import dev.firesafe.archive.Compression;
import dev.firesafe.core.Progress;
import dev.firesafe.crypto.MasterKey;
import dev.firesafe.crypto.RecoveryKey;
import dev.firesafe.plan.Plan;
import dev.firesafe.plan.Retention;
import dev.firesafe.plan.SourceSpec;
import dev.firesafe.testing.Fixtures;
import dev.firesafe.testing.TestClock;
import dev.firesafe.testing.Trees;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #20 point 7: the plan option {@code full-every} makes a self-contained backup (one a bare runbook restores,
 * depending on no other object) once the newest one on the target is older than that, and incremental ones between.
 */
class FullEveryTest {

    private static final int SIZE = 2 << 20;

    @TempDir
    Path tmp;

    private final MasterKey key = MasterKey.generate(65536);
    private final TestClock clock = new TestClock("2026-12-01T00:00:00Z");
    private Path source;
    private Path target;
    private Plan plan;

    @BeforeEach
    void tree() throws IOException {
        source = Files.createDirectories(tmp.resolve("data"));
        target = tmp.resolve("target");
        byte[] big = new byte[SIZE];
        new Random(5).nextBytes(big);
        Trees.write(source.resolve("big.bin"), big, "rw-r--r--");
        plan = new Plan("weekly", List.of(SourceSpec.of(source.toString())), List.of(target.toString()),
                Compression.ZSTD, Retention.KEEP_ALL).withFullEvery(Duration.ofDays(7));
    }

    private BackupService backups(Map<String, String> extra) {
        Map<String, String> values = new HashMap<>(extra);
        values.put("firesafe.cache-dir", tmp.resolve("cache").toString());
        values.put("firesafe.default-key-file", tmp.resolve("no-key").toString());
        return Fixtures.services(Fixtures.config(values), clock).backups();
    }

    private BackupService backups() {
        return backups(Map.of("firesafe.master-key", key.toEscrowText()));
    }

    private BackupResult backupAfter(Duration wait, BackupService service) {
        clock.advance(wait);
        BackupResult r = service.run(plan, Progress.NONE);
        assertTrue(r.ok(), r.toString());
        return r;
    }

    @Test
    void aSelfContainedBackupOnceTheNewestIsOlderThanFullEveryIncrementalOnesBetween() throws IOException {
        BackupResult first = backupAfter(Duration.ZERO, backups());
        assertTrue(first.full(), "nothing to refer to");
        BackupResult sixDays = backupAfter(Duration.ofDays(6), backups());
        assertFalse(sixDays.full(), "the full one is 6 days old: incremental");
        assertEquals(0, sixDays.bytesNew());

        BackupResult week = backupAfter(Duration.ofDays(1), backups());
        assertTrue(week.full(), "the full one is 7 days old: " + week);
        assertTrue(week.bytesNew() >= SIZE, "everything stored again: " + week.bytesNew());

        // it depends on no other object: with the earlier ones gone it still verifies and restores
        for (BackupResult gone : List.of(first, sixDays)) {
            Files.delete(target.resolve("weekly/" + gone.id() + ".firesafe"));
        }
        Path out = tmp.resolve("out");
        Fixtures.restoreService(key, tmp).restore(target.toString(), week.id(), "weekly", out, false,
                Progress.NONE);
        assertEquals(Trees.describe(source), Trees.describe(out.resolve("data")));

        assertFalse(backupAfter(Duration.ofHours(6), backups()).full(), "the next ones refer to it again");
    }

    @Test
    void withoutTheCacheTheStoreTellsWhenTheLastSelfContainedOneWasMade() throws IOException {
        backupAfter(Duration.ZERO, backups());
        backupAfter(Duration.ofDays(2), backups());
        deleteTree(tmp.resolve("cache"));
        assertFalse(backupAfter(Duration.ofDays(2), backups()).full(), "the store's first backup is 4 days old");
        deleteTree(tmp.resolve("cache"));
        assertTrue(backupAfter(Duration.ofDays(3), backups()).full(), "the store's full one is 7 days old");
    }

    @Test
    void aWriteOnlyHostCountsFromItsCacheAndWithoutOneMakesASelfContainedBackup() throws IOException {
        RecoveryKey recovery = RecoveryKey.generate();
        BackupService writeOnly = backups(Map.of("firesafe.public-key", recovery.publicKey().toText(),
                "firesafe.content-key-file", tmp.resolve("content.key").toString()));
        assertTrue(backupAfter(Duration.ZERO, writeOnly).full());
        assertFalse(backupAfter(Duration.ofDays(1), writeOnly).full(), "its cache names the full one");
        deleteTree(tmp.resolve("cache"));
        assertTrue(backupAfter(Duration.ofDays(1), writeOnly).full(),
                "it cannot read the store's backups, so it cannot tell: a fuller backup, never a missing one");
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.delete(p);
            }
        }
    }
}
