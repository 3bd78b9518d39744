package dev.firesafe.engine.retention;

import dev.firesafe.archive.Compression;
import dev.firesafe.core.Progress;
import dev.firesafe.crypto.MasterKey;
import dev.firesafe.engine.backup.BackupResult;
import dev.firesafe.engine.backup.BackupService;
import dev.firesafe.plan.Plan;
import dev.firesafe.plan.Retention;
import dev.firesafe.plan.SourceSpec;
import dev.firesafe.repository.BackupCatalog;
import dev.firesafe.store.local.LocalStore;
import dev.firesafe.testing.Fixtures;
import dev.firesafe.testing.Trees;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue #20: prune never deletes an object that a kept backup references. */
class ChunkedPruneTest {

    @TempDir
    Path tmp;

    private final MasterKey key = MasterKey.generate(65536);

    @Test
    void aRemovedBackupsObjectStaysWhileAKeptOneNeedsItAndGoesAfter() throws IOException {
        Path source = Files.createDirectories(tmp.resolve("data"));
        byte[] big = new byte[2 << 20];
        new Random(7).nextBytes(big);
        Trees.write(source.resolve("big.bin"), big, "rw-r--r--");
        Path target = tmp.resolve("target");
        Plan keepOne = new Plan("p", List.of(SourceSpec.of(source.toString())), List.of(target.toString()),
                Compression.ZSTD, new Retention(1, null, null, null, null, null));
        BackupService backups = Fixtures.backupService(key, tmp);
        BackupResult first = backups.run(keepOne, Progress.NONE);
        Trees.write(source.resolve("small.txt"), "changed".getBytes(), "rw-r--r--");
        BackupResult second = backups.run(keepOne, Progress.NONE);
        assertEquals(List.of(first.id()), second.targets().get(0).pruned(), "retention removed the first backup");

        LocalStore store = new LocalStore(target);
        assertEquals(List.of(second.id()), BackupCatalog.list(store, "p").stream().map(BackupCatalog.Ref::id)
                .toList(), "only the kept backup is listed");
        assertTrue(Files.exists(target.resolve(BackupCatalog.objectName("p", first.id()))),
                "the second backup's big.bin is in the first one's object, which stays");
        Path out = tmp.resolve("out");
        Fixtures.restoreService(key, tmp).restore(target.toString(), "latest", "p", out, false, Progress.NONE);
        assertEquals(Trees.describe(source), Trees.describe(out.resolve("data")));

        BackupResult full = backups.run(keepOne, Progress.NONE, true);
        assertEquals(List.of(second.id()), full.targets().get(0).pruned());
        assertFalse(Files.exists(target.resolve(BackupCatalog.objectName("p", first.id()))),
                "no kept backup needs the first object any more");
        assertFalse(Files.exists(target.resolve(BackupCatalog.removedMark("p", first.id()))));
        assertFalse(Files.exists(target.resolve(BackupCatalog.objectName("p", second.id()))));
        Path again = tmp.resolve("again");
        Fixtures.restoreService(key, tmp).restore(target.toString(), "latest", "p", again, false, Progress.NONE);
        assertEquals(Trees.describe(source), Trees.describe(again.resolve("data")));
    }
}
