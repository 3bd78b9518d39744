package dev.firesafe.engine.backup;

import dev.firesafe.archive.Compression;
import dev.firesafe.core.ExitCode;
import dev.firesafe.core.FiresafeException;
import dev.firesafe.core.Progress;
import dev.firesafe.crypto.MasterKey;
import dev.firesafe.engine.restore.RestoreService;
import dev.firesafe.plan.Plan;
import dev.firesafe.plan.Retention;
import dev.firesafe.plan.SourceSpec;
import dev.firesafe.testing.Fixtures;
import dev.firesafe.testing.Trees;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #20: a second backup costs what changed, and any backup restores in one step to the tree as it was.
 */
class IncrementalBackupTest {

    @TempDir
    Path tmp;

    private final MasterKey key = MasterKey.generate(65536);

    private Plan plan(Path source, Path target) {
        return new Plan("inc", List.of(SourceSpec.of(source.toString())), List.of(target.toString()),
                Compression.ZSTD, Retention.KEEP_ALL);
    }

    private BackupResult backup(Plan plan) {
        BackupResult r = Fixtures.backupService(key, tmp).run(plan, Progress.NONE);
        assertTrue(r.ok(), r.toString());
        return r;
    }

    private TreeMap<String, String> restored(Path target, String id) throws IOException {
        Path out = tmp.resolve("out-" + id);
        RestoreService restore = Fixtures.restoreService(key, tmp);
        restore.verify(target.toString(), id, "inc", Progress.NONE);
        restore.restore(target.toString(), id, "inc", out, false, Progress.NONE);
        return Trees.describe(out.resolve("data"));
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void aSequenceOfChangedTreesEachRestoresAsItWas() throws IOException {
        Path source = Files.createDirectories(tmp.resolve("data"));
        Path target = tmp.resolve("target");
        Trees.write(source.resolve("a.txt"), "alpha".getBytes(), "rw-r--r--");
        Trees.write(source.resolve("big.bin"), random(6 << 20, 1), "rw-r-----");
        Files.createDirectories(source.resolve("dir/sub"));
        Trees.write(source.resolve("dir/sub/c.txt"), "charlie".getBytes(), "rw-------");
        Files.createSymbolicLink(source.resolve("link"), Path.of("a.txt"));
        Plan plan = plan(source, target);

        List<String> ids = new ArrayList<>();
        List<TreeMap<String, String>> trees = new ArrayList<>();
        BackupResult first = backup(plan);
        assertTrue(first.full(), "the first backup depends on nothing");
        ids.add(first.id());
        trees.add(Trees.describe(source));

        BackupResult unchanged = backup(plan);
        assertEquals(0, unchanged.bytesNew(), "nothing changed: nothing stored again");
        assertFalse(unchanged.full());
        assertTrue(unchanged.bytesOut() < 64 * 1024, "only the tree and footer: " + unchanged.bytesOut());
        ids.add(unchanged.id());
        trees.add(Trees.describe(source));

        // a change in the middle of a large file, a new file, a deleted one, a renamed folder, a mode change
        try (RandomAccessFile f = new RandomAccessFile(source.resolve("big.bin").toFile(), "rw")) {
            f.seek(3 << 20);
            f.write(random(4096, 2));
        }
        Trees.write(source.resolve("new.txt"), "new".getBytes(), "rw-r--r--");
        Files.delete(source.resolve("a.txt"));
        Files.move(source.resolve("dir"), source.resolve("moved"));
        Files.setPosixFilePermissions(source.resolve("big.bin"), PosixFilePermissions.fromString("rw-------"));
        Files.createLink(source.resolve("hardlink.bin"), source.resolve("big.bin"));
        BackupResult changed = backup(plan);
        assertTrue(changed.bytesNew() < (5 << 20), "a 4 KiB change and small files, not the 6 MiB file again: "
                + changed.bytesNew());
        assertTrue(changed.bytesDeduplicated() >= (6 << 20), "the unchanged chunks and the hard link are "
                + "referenced: " + changed.bytesDeduplicated());
        ids.add(changed.id());
        trees.add(Trees.describe(source));

        for (int i = 0; i < ids.size(); i++) {
            assertEquals(trees.get(i), restored(target, ids.get(i)), "backup " + i + " restores as it was");
        }
    }

    /**
     * A backup whose files are spread over many earlier objects (more than the reader keeps open at once) restores,
     * at every step. Before, reading another object closed the backup's own one, whose tree was still being read:
     * the benchmark's restore of the newest of 10 changed backups failed as 'failed authentication'.
     */
    @Test
    void aBackupNeedingManyEarlierObjectsRestores() throws IOException {
        Path source = Files.createDirectories(tmp.resolve("data"));
        Path target = tmp.resolve("target");
        Plan plan = plan(source, target);
        for (int i = 0; i < 20; i++) {
            // each backup stores one new file, so the last one's files are in 20 objects (more than the reader
            // keeps open); the tree spans several pages, so it is read while other objects are opened
            Trees.write(source.resolve("f" + i + ".bin"), random(100_000, i), "rw-r--r--");
            for (int k = 0; k < 200; k++) {
                Trees.write(source.resolve("small-" + i + "-" + k + ".txt"), ("file " + i + " " + k).getBytes(),
                        "rw-r--r--");
            }
            BackupResult r = backup(plan);
            if (i == 4 || i >= 17) {
                assertEquals(Trees.describe(source), restored(target, r.id()), "backup " + (i + 1));
            }
        }
    }

    @Test
    void aFullBackupDependsOnNoOtherAndRestoresWhenTheOthersAreGone() throws IOException {
        Path source = Files.createDirectories(tmp.resolve("data"));
        Path target = tmp.resolve("target");
        Trees.write(source.resolve("f.bin"), random(3 << 20, 3), "rw-r--r--");
        Plan plan = plan(source, target);
        BackupResult first = backup(plan);
        Trees.write(source.resolve("g.txt"), "more".getBytes(), "rw-r--r--");
        BackupResult incremental = backup(plan);
        BackupResult full = Fixtures.backupService(key, tmp).run(plan, Progress.NONE, true);
        assertTrue(full.full());
        assertTrue(full.bytesNew() >= (3 << 20), "everything stored again: " + full.bytesNew());

        Files.delete(target.resolve("inc/" + first.id() + ".firesafe"));
        TreeMap<String, String> now = Trees.describe(source);
        assertEquals(now, restored(target, full.id()), "the full backup needs no other object");
        FiresafeException broken = assertThrows(FiresafeException.class, () -> restored(target, incremental.id()));
        assertEquals(ExitCode.INTEGRITY, broken.exitCode());
        assertTrue(broken.getMessage().contains(first.id()), "names the missing backup: " + broken.getMessage());
    }

    /**
     * The files of a renamed folder keep their inode, size and times: they are referenced without being read again,
     * whichever way the folder's new name sorts, while a moved file whose content changed is read.
     * Before, a file was looked up by name only, so the benchmark's renamed folder (10% of the data) was read again.
     */
    @Test
    void renamedAndMovedFilesAreNotReadAgain() throws IOException {
        Path source = Files.createDirectories(tmp.resolve("data"));
        Path target = tmp.resolve("target");
        for (String folder : List.of("b-photos", "m-music", "x-other")) {
            for (int k = 0; k < 30; k++) {
                Trees.write(source.resolve(folder + "/f" + k + ".bin"), random(20_000, folder.hashCode() + k),
                        "rw-r--r--");
            }
        }
        Plan plan = plan(source, target);
        backup(plan);

        Files.move(source.resolve("b-photos"), source.resolve("z-photos")); // now sorts after its old place
        Files.move(source.resolve("x-other"), source.resolve("a-other"));   // now sorts before it
        Object ctimeBefore = Files.getAttribute(source.resolve("m-music/f0.bin"), "unix:ctime");
        Files.move(source.resolve("m-music/f0.bin"), source.resolve("a-other/f0-moved.bin"));
        // a file renamed on its own gets a new ctime where the filesystem touches its inode (ext4 does): then it is
        // read again, as the rule (size, mtime, ctime, inode) says; a renamed folder's files keep theirs
        boolean movedKeepsCtime = ctimeBefore.equals(Files.getAttribute(source.resolve("a-other/f0-moved.bin"),
                "unix:ctime"));
        Files.move(source.resolve("m-music/f1.bin"), source.resolve("a-other/f1-moved.bin"));
        try (RandomAccessFile f = new RandomAccessFile(source.resolve("a-other/f1-moved.bin").toFile(), "rw")) {
            f.write(random(100, 99)); // same size: only the times tell
        }
        BackupResult moved = backup(plan);

        assertEquals(90, moved.files());
        assertEquals(movedKeepsCtime ? 89 : 88, moved.filesUnchanged(),
                "the renamed folders' files (and the moved one where its ctime stayed) are referenced, not read");
        assertTrue(moved.bytesNew() <= 20_000, "only the changed file's chunk is new: " + moved.bytesNew());
        assertEquals(Trees.describe(source), restored(target, moved.id()));
    }
}
