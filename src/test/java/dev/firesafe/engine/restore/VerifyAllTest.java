package dev.firesafe.engine.restore;

import dev.firesafe.app.Services;
import dev.firesafe.archive.Compression;
import dev.firesafe.core.ExitCode;
import dev.firesafe.core.FiresafeException;
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
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #20: {@code verify all} reads each stored object once, not once per backup that refers to it; a missing or
 * damaged object is reported with the backups it breaks, and the backups that do not depend on it verify and
 * restore. {@code verify ID} reads every chunk the backup refers to, checking each file's SHA-256.
 */
class VerifyAllTest {

    @TempDir
    Path tmp;

    private final MasterKey key = MasterKey.generate(65536);
    private final TestClock clock = new TestClock("2026-03-01T00:00:00Z");
    private Path source;
    private Path target;

    private Services services() {
        return Fixtures.services(Fixtures.configWithKey(key, tmp), clock);
    }

    private BackupResult backup(boolean full) {
        clock.advance(Duration.ofHours(1));
        Plan plan = new Plan("p", List.of(SourceSpec.of(source.toString())), List.of(target.toString()),
                Compression.ZSTD, Retention.KEEP_ALL);
        BackupResult r = services().backups().run(plan, Progress.NONE, full);
        assertTrue(r.ok(), r.toString());
        return r;
    }

    private void change(int file, long seed) throws IOException {
        byte[] b = new byte[256 << 10];
        new Random(seed).nextBytes(b);
        Trees.write(source.resolve("f" + file), b, "rw-r--r--");
    }

    private Path object(String id) {
        return target.resolve(BackupCatalog.objectName("p", id));
    }

    @Test
    void eachObjectIsReadOnceHoweverManyBackupsReferToIt() throws IOException {
        source = Files.createDirectories(tmp.resolve("data"));
        target = tmp.resolve("target");
        for (int i = 0; i < 16; i++) {
            change(i, i);
        }
        String first = backup(false).id();
        for (int b = 1; b <= 4; b++) {
            change(b, 100 + b);
            backup(false); // each refers to the first backup's 12+ unchanged files
        }
        ReadCountingStore counting = new ReadCountingStore(new LocalStore(target));
        VerifyAllResult all = services().restores().verifyAll(counting, "p", Progress.NONE);
        assertTrue(all.ok(), all.toString());
        assertEquals(5, all.backups().size());
        assertEquals(5, all.objectsRead());
        long size = Files.size(object(first));
        long read = counting.read(BackupCatalog.objectName("p", first));
        assertTrue(read < size * 1.25, "the first object (" + size + " bytes) is read once, not once per backup "
                + "that needs it: " + read + " bytes");

        // what per-backup checking costs: verify of each backup reads what it refers to
        ReadCountingStore perBackup = new ReadCountingStore(new LocalStore(target));
        for (VerifyAllResult.Backup b : all.backups()) {
            new RestoreService(services().keys(), services().stores()).verifyOne(perBackup, b.id(), "p");
        }
        assertTrue(perBackup.read(BackupCatalog.objectName("p", first)) > 4 * size,
                "each of the 5 backups reads the first one's chunks: " + perBackup);
    }

    @Test
    void aMissingAndADamagedObjectBreakTheBackupsThatNeedThemAndNoOthers() throws IOException {
        source = Files.createDirectories(tmp.resolve("data"));
        target = tmp.resolve("target");
        for (int i = 0; i < 8; i++) {
            change(i, i);
        }
        String a = backup(false).id();
        change(0, 10);
        String b = backup(false).id();    // refers to a
        String c = backup(true).id();     // self-contained
        change(1, 11);
        String d = backup(false).id();    // refers to c
        change(2, 12);
        String e = backup(true).id();     // self-contained
        TreeMap<String, String> now = Trees.describe(source);

        Files.delete(object(a));
        try (RandomAccessFile f = new RandomAccessFile(object(c).toFile(), "rw")) {
            f.seek(4096); // inside c's first block, which holds chunks d refers to
            int x = f.read();
            f.seek(4096);
            f.write(x ^ 1);
        }

        VerifyAllResult all = services().restores().verifyAll(target.toString(), "p", Progress.NONE);
        assertFalse(all.ok());
        Map<String, VerifyAllResult.Backup> byId = new HashMap<>();
        all.backups().forEach(x -> byId.put(x.id(), x));
        assertEquals(List.of(b, c, d, e), all.backups().stream().map(VerifyAllResult.Backup::id).toList(),
                "a's object is gone: a is not listed");
        assertFalse(byId.get(b).ok());
        assertEquals(ExitCode.INTEGRITY.code, byId.get(b).exitCode());
        assertTrue(byId.get(b).error().contains(a), byId.get(b).error());
        assertFalse(byId.get(c).ok());
        assertFalse(byId.get(d).ok());
        assertTrue(byId.get(d).error().contains(c), byId.get(d).error());
        assertTrue(byId.get(e).ok(), byId.get(e).toString());
        assertEquals(List.of(
                        new VerifyAllResult.ObjectProblem(BackupCatalog.objectName("p", a), "missing", List.of(b)),
                        new VerifyAllResult.ObjectProblem(BackupCatalog.objectName("p", c),
                                all.objects().get(1).problem(), List.of(c, d))),
                all.objects(), all.toString());
        assertTrue(all.objects().get(1).problem().startsWith("damaged"), all.objects().toString());

        // what does not depend on them restores; verify ID reads every chunk a backup refers to
        Path out = tmp.resolve("out");
        services().restores().restore(target.toString(), e, "p", out, false, Progress.NONE);
        assertEquals(now, Trees.describe(out.resolve("data")));
        FiresafeException broken = assertThrows(FiresafeException.class,
                () -> services().restores().verify(target.toString(), d, "p", Progress.NONE));
        assertEquals(ExitCode.INTEGRITY, broken.exitCode());
    }
}
