package dev.firesafe.engine.restore;

import dev.firesafe.core.ExitCode;
import dev.firesafe.core.FiresafeException;
import dev.firesafe.core.Progress;
import dev.firesafe.crypto.ArchiveCipher;
import dev.firesafe.crypto.BackupHeader;
import dev.firesafe.crypto.MasterKey;
import dev.firesafe.repository.BackupCatalog;
import dev.firesafe.repository.BackupId;
import dev.firesafe.repository.format.Blocks;
import dev.firesafe.repository.format.ChunkLocation;
import dev.firesafe.repository.format.ChunkRef;
import dev.firesafe.repository.format.Footer;
import dev.firesafe.repository.format.ObjectWriter;
import dev.firesafe.repository.format.TreeEntry;
import dev.firesafe.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile chunked backups, sealed with the right key (someone who has it, or a bug): a restore refuses each with
 * exit 4 and writes nothing outside its destination.
 */
class ChunkedAttackTest {

    @TempDir
    Path tmp;

    private final MasterKey key = MasterKey.generate(65536);

    /** A chunked backup whose tree is {@code entries}; every file's content is "x". */
    private String craft(Path target, List<TreeEntry> entries) throws Exception {
        String id = BackupId.next(Instant.now());
        Path file = target.resolve(BackupCatalog.objectName("p", id));
        Files.createDirectories(file.getParent());
        ArchiveCipher.Sealing sealing = key.seal(id, "p", Instant.now().toString(), "zstd")
                .withFormat(BackupHeader.FORMAT_CHUNKED);
        try (OutputStream raw = Files.newOutputStream(file); OutputStream out = ArchiveCipher.encrypt(raw, sealing)) {
            ObjectWriter object = new ObjectWriter(out, id, 3);
            byte[] x = "x".getBytes(StandardCharsets.UTF_8);
            byte[] block = Blocks.encode(x, 1, 3);
            long at = object.writeBlock(block, block.length);
            ChunkRef chunk = new ChunkRef(new byte[32], new ChunkLocation(id, at, block.length, 0, 1));
            byte[] sha = MessageDigest.getInstance("SHA-256").digest(x);
            long files = 0;
            for (TreeEntry e : entries) {
                boolean file1 = e.kind() == TreeEntry.Kind.FILE;
                files += file1 ? 1 : 0;
                object.add(file1 ? new TreeEntry(e.kind(), e.name(), null, null, null, 0644, 0, 0, e.mtime(), 0, 0, 0,
                        1, sha, List.of(chunk)) : e);
            }
            object.finish(new Footer(id, "p", "h", Instant.now().toString(), Instant.now().toString(), "test", true,
                    List.of(), List.of(), List.of(), List.of(), files, files, files, block.length, 0, List.of(), 0));
        }
        return id;
    }

    private static TreeEntry entry(TreeEntry.Kind kind, String name, String link) {
        return new TreeEntry(kind, name, null, link, null, kind == TreeEntry.Kind.DIR ? 0755 : 0644, 0, 0,
                FileTime.from(Instant.parse("2026-01-01T00:00:00Z")), 0, 0, 0, 0, null, List.of());
    }

    private void assertRefused(List<TreeEntry> tree, String words) throws Exception {
        Path target = tmp.resolve("t" + System.nanoTime());
        String id = craft(target, tree);
        Path dest = tmp.resolve("dest" + System.nanoTime());
        FiresafeException e = assertThrows(FiresafeException.class, () -> Fixtures.restoreService(key, tmp)
                .restore(target.toString(), id, "p", dest, false, Progress.NONE));
        assertEquals(ExitCode.INTEGRITY, e.exitCode(), e.getMessage());
        assertTrue(e.getMessage().contains(words), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("escaped")), "nothing outside the destination");
        FiresafeException v = assertThrows(FiresafeException.class, () -> Fixtures.restoreService(key, tmp)
                .verify(target.toString(), id, "p", Progress.NONE));
        assertEquals(ExitCode.INTEGRITY, v.exitCode(), "verify refuses it too: " + v.getMessage());
    }

    @Test
    void aCraftedTreeCannotWriteOutsideOrTwice() throws Exception {
        TreeEntry dir = entry(TreeEntry.Kind.DIR, "data", null);
        assertRefused(List.of(dir, entry(TreeEntry.Kind.FILE, "data/../escaped", null)), "unsafe entry");
        assertRefused(List.of(entry(TreeEntry.Kind.FILE, "/etc/escaped", null)), "absolute");
        assertRefused(List.of(dir, entry(TreeEntry.Kind.FILE, "data/x", null),
                entry(TreeEntry.Kind.FILE, "data/x", null)), "twice");
        assertRefused(List.of(dir, entry(TreeEntry.Kind.FILE, "data/x", null),
                entry(TreeEntry.Kind.FILE, "data/x/y", null)), "below its file");
        // issue #18: a file where earlier entries made a folder (verify passed it, restore blamed the destination)
        assertRefused(List.of(dir, entry(TreeEntry.Kind.FILE, "data/x/y", null),
                entry(TreeEntry.Kind.FILE, "data/x", null)), "has the name of a folder");
        assertRefused(List.of(dir, entry(TreeEntry.Kind.SYMLINK, "data/l", tmp.toString()),
                entry(TreeEntry.Kind.FILE, "data/l/escaped", null)), "below its file 'data/l'");
    }

    @Test
    void anIntactCraftedTreeRestores() throws Exception {
        Path target = tmp.resolve("ok");
        String id = craft(target, List.of(entry(TreeEntry.Kind.DIR, "data", null),
                entry(TreeEntry.Kind.FILE, "data/x", null)));
        Path dest = tmp.resolve("restored");
        Fixtures.restoreService(key, tmp).restore(target.toString(), id, "p", dest, false, Progress.NONE);
        assertEquals("x", Files.readString(dest.resolve("data/x")));
        try (Stream<Path> all = Files.walk(dest)) {
            assertEquals(3, all.count());
        }
    }
}
