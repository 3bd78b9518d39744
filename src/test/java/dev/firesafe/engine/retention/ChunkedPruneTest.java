package dev.firesafe.engine.retention;

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
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #20: prune never deletes an object that a kept backup references, and reclaims the space of mostly-dead
 * ones by rewriting their live chunks into a generation, once the grace period has passed.
 */
class ChunkedPruneTest {

    static final Duration HOUR = Duration.ofHours(1);
    static final Duration PAST_GRACE = PruneService.DEFAULT_GRACE.plus(HOUR);

    @TempDir
    Path tmp;

    private final MasterKey key = MasterKey.generate(65536);
    private final TestClock clock = new TestClock("2026-03-01T00:00:00Z");

    private Services services() {
        return Fixtures.services(Fixtures.configWithKey(key, tmp), clock);
    }

    private Plan plan(Path source, Path target, int keepLast) {
        return new Plan("p", List.of(SourceSpec.of(source.toString())), List.of(target.toString()),
                Compression.ZSTD, new Retention(keepLast, null, null, null, null, null));
    }

    private BackupResult backup(Plan plan) {
        return backup(plan, false);
    }

    private BackupResult backup(Plan plan, boolean full) {
        clock.advance(HOUR);
        BackupResult r = services().backups().run(plan, Progress.NONE, full);
        assertTrue(r.ok(), r.toString());
        return r;
    }

    private TreeMap<String, String> restored(Path target, String id) throws IOException {
        Path out = tmp.resolve("out-" + id + "-" + System.nanoTime());
        services().restores().verify(target.toString(), id, "p", Progress.NONE);
        services().restores().restore(target.toString(), id, "p", out, false, Progress.NONE);
        return Trees.describe(out.resolve("data"));
    }

    static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** The names on the target under the plan's folder. */
    static TreeSet<String> names(Path target) throws IOException {
        try (Stream<Path> files = Files.list(target.resolve("p"))) {
            return files.map(f -> f.getFileName().toString()).filter(n -> !n.startsWith("."))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }

    @Test
    void aRemovedBackupsObjectStaysWhileAKeptOneNeedsItAndGoesAfterTheGracePeriod() throws IOException {
        Path source = Files.createDirectories(tmp.resolve("data"));
        Trees.write(source.resolve("big.bin"), random(2 << 20, 7), "rw-r--r--");
        Path target = tmp.resolve("target");
        Plan keepOne = plan(source, target, 1);
        BackupResult first = backup(keepOne);
        Trees.write(source.resolve("small.txt"), "changed".getBytes(), "rw-r--r--");
        BackupResult second = backup(keepOne);
        assertEquals(List.of(first.id()), second.targets().get(0).pruned(), "retention removed the first backup");

        LocalStore store = new LocalStore(target);
        assertEquals(List.of(second.id()), BackupCatalog.list(store, "p").stream().map(BackupCatalog.Ref::id)
                .toList(), "only the kept backup is listed");
        assertTrue(Files.exists(target.resolve(BackupCatalog.objectName("p", first.id()))),
                "the second backup's big.bin is in the first one's object, which stays");
        assertEquals(Trees.describe(source), restored(target, "latest"));

        BackupResult full = backup(keepOne, true);
        assertEquals(List.of(second.id()), full.targets().get(0).pruned());
        assertTrue(Files.exists(target.resolve(BackupCatalog.objectName("p", first.id()))),
                "within the grace period a removed backup's object stays, needed or not");
        assertTrue(Files.exists(target.resolve(BackupCatalog.objectName("p", second.id()))));

        clock.advance(PAST_GRACE);
        PruneService.Report r = services().retention().prune(store, keepOne, false);
        assertTrue(r.ok(), r.error());
        assertEquals(new TreeSet<>(List.of(full.id() + ".firesafe")), names(target),
                "no kept backup needs the older objects: they and their marks are gone");
        assertEquals(Trees.describe(source), restored(target, "latest"));
    }

    @Test
    void aMostlyDeadObjectIsRewrittenIntoAGenerationAndEveryKeptBackupStillRestores() throws IOException {
        Path source = Files.createDirectories(tmp.resolve("data"));
        for (int i = 0; i < 12; i++) {
            Trees.write(source.resolve("f" + i), random(256 << 10, i), "rw-r--r--");
        }
        Path target = tmp.resolve("target");
        LocalStore store = new LocalStore(target);
        Plan keepOne = plan(source, target, 1);
        BackupResult a = backup(keepOne);
        for (int i = 0; i < 8; i++) {
            Trees.write(source.resolve("f" + i), random(256 << 10, 100 + i), "rw-r--r--");
        }
        BackupResult b = backup(keepOne);
        long aSize = Files.size(target.resolve(BackupCatalog.objectName("p", a.id())));

        clock.advance(PAST_GRACE);
        TreeSet<String> before = names(target);
        PruneService.Report dry = services().retention().prune(store, keepOne, true);
        assertTrue(dry.ok(), dry.error());
        assertEquals(before, names(target), "a dry run changes nothing");
        assertEquals(1, dry.reclaimed().size(), dry.toString());
        PruneService.Reclaimed planned = dry.reclaimed().get(0);
        assertEquals("rewrite", planned.action());
        assertEquals(a.id(), planned.backup());
        assertEquals(aSize, planned.bytesBefore());
        assertTrue(dry.freedBytes() > aSize / 2, "8 of 12 files changed: about two thirds of it is free: " + dry);

        PruneService.Report real = services().retention().prune(store, keepOne, false);
        assertTrue(real.ok(), real.error());
        assertEquals(List.of("rewrite"), real.reclaimed().stream().map(PruneService.Reclaimed::action).toList());
        String g1 = a.id() + ".g1.firesafe";
        assertEquals(new TreeSet<>(List.of(a.id() + ".removed", g1, b.id() + ".firesafe")), names(target),
                "the live third of the first object is in its generation; the object itself is gone");
        long g1Size = Files.size(target.resolve("p").resolve(g1));
        assertTrue(g1Size < aSize * 0.4, g1Size + " of " + aSize);
        assertEquals(aSize - g1Size, real.freedBytes());
        assertTrue(Math.abs(dry.freedBytes() - real.freedBytes()) < 8192, "the dry run's figure is close: "
                + dry.freedBytes() + " against " + real.freedBytes());
        assertEquals(Trees.describe(source), restored(target, b.id()), "b's 4 unchanged files are found by id in "
                + "the generation");

        // a backup of the unchanged tree refers to the rewritten chunks again (by the first backup's id), without
        // storing them, and restores
        BackupResult c = backup(keepOne);
        assertEquals(0, c.bytesNew(), "nothing stored again");
        assertEquals(Trees.describe(source), restored(target, c.id()));

        // half of the generation dies: it is rewritten again (generation 2); the unchanged backup c's object holds
        // no chunk and goes; b's object is all live and stays
        Trees.write(source.resolve("f8"), random(256 << 10, 200), "rw-r--r--");
        Trees.write(source.resolve("f9"), random(256 << 10, 201), "rw-r--r--");
        BackupResult d = backup(keepOne);
        clock.advance(PAST_GRACE);
        PruneService.Report again = services().retention().prune(store, keepOne, false);
        assertTrue(again.ok(), again.error());
        assertEquals(new TreeSet<>(List.of(a.id() + ".removed", a.id() + ".g2.firesafe", b.id() + ".removed",
                b.id() + ".firesafe", d.id() + ".firesafe")), names(target), again.toString());
        assertEquals(Trees.describe(source), restored(target, d.id()));
    }

    @Test
    void afterABackupPruneReadsTheTreesAgainOnlyWhenAGracePeriodEndedSinceThePreviousBackup() throws IOException {
        Path source = Files.createDirectories(tmp.resolve("data"));
        for (int i = 0; i < 6; i++) {
            Trees.write(source.resolve("f" + i), random(256 << 10, i), "rw-r--r--");
        }
        Path target = tmp.resolve("target");
        Plan keepTwo = plan(source, target, 2);
        backup(keepTwo);
        Trees.write(source.resolve("f0"), random(256 << 10, 10), "rw-r--r--");
        backup(keepTwo);
        Trees.write(source.resolve("f1"), random(256 << 10, 11), "rw-r--r--");
        backup(keepTwo);                              // removes the first, which the others need
        clock.advance(PAST_GRACE);
        String c = backup(keepTwo).id();              // the first's grace period ended since the previous backup
        ReadCountingStore looked = new ReadCountingStore(new LocalStore(target));
        assertTrue(services().retention().prune(looked, keepTwo, false, c).ok());
        assertTrue(looked.total() > 64 << 10, "reads the kept trees (streamed: what it needs): " + looked);

        String d = backup(keepTwo).id();              // no grace period ended since c
        ReadCountingStore settled = new ReadCountingStore(new LocalStore(target));
        PruneService.Report r = services().retention().prune(settled, keepTwo, false, d);
        assertTrue(r.ok(), r.error());
        assertTrue(settled.total() < 8 << 10, "only headers: " + settled);
        ReadCountingStore manual = new ReadCountingStore(new LocalStore(target));
        assertTrue(services().retention().prune(manual, keepTwo, false).ok());
        assertTrue(manual.total() > 64 << 10, "'prune' always looks: " + manual);
    }
}
