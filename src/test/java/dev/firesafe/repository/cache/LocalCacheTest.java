package dev.firesafe.repository.cache;

import dev.firesafe.crypto.ContentKey;
import dev.firesafe.repository.format.ChunkLocation;
import dev.firesafe.repository.format.ChunkRef;
import dev.firesafe.repository.format.TreeEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the walk of an unchanged backup asks the local cache: the previous backup's files (decoded ahead on a
 * thread of their own) and, for each of their chunks, where its newest copy is (answered from memory when that is
 * the chunk's own object).
 */
class LocalCacheTest {

    @TempDir
    Path tmp;

    private final ContentKey key = ContentKey.generate();

    private static byte[] id(int n) {
        byte[] id = new byte[ChunkRef.ID_BYTES];
        ByteBuffer.wrap(id).putInt(n).putInt(~n).putInt(n * 31);
        return id;
    }

    private static TreeEntry file(int n, List<ChunkRef> chunks) {
        return new TreeEntry(TreeEntry.Kind.FILE, "src/f" + n, null, null, null, 0644, 0, 0,
                FileTime.fromMillis(1_000L * n), n, 1000 + n, 7, 100, new byte[32], chunks);
    }

    private LocalCache open() {
        return LocalCache.open(tmp, "host", "p", "file:///store/", key).orElseThrow();
    }

    /** Commits backup {@code id} with {@code files} and {@code chunks} into the cache. */
    private static void commit(LocalCache cache, String id, List<TreeEntry> files, List<ChunkRef> chunks)
            throws IOException {
        LocalCache.FilesWriter writer = cache.newFiles();
        for (TreeEntry f : files) {
            writer.add(f);
        }
        cache.committed(id, false, writer, consumer -> {
            for (ChunkRef c : chunks) {
                consumer.accept(c);
            }
        });
    }

    @Test
    void aChunkInItsOwnObjectIsAnsweredWithoutReadingItsRecordAndANewerCopyElsewhereIsFound() throws IOException {
        ChunkRef inA = new ChunkRef(id(1), new ChunkLocation("a", 0, 100, 0, 50));
        ChunkRef againInB = new ChunkRef(id(1), new ChunkLocation("b", 400, 90, 10, 50));
        ChunkRef onlyInA = new ChunkRef(id(2), new ChunkLocation("a", 0, 100, 50, 50));
        try (LocalCache cache = open()) {
            commit(cache, "a", List.of(), List.of(inA, onlyInA));
            commit(cache, "b", List.of(), List.of(againInB));
        }
        try (LocalCache cache = open()) {
            cache.use(Set.of("a", "b"));
            assertEquals(againInB.at(), cache.chunk(inA), "the newest copy is in b: referred to there");
            assertEquals(againInB.at(), cache.chunk(againInB));
            assertEquals(onlyInA.at(), cache.chunk(onlyInA));
            assertNull(cache.chunk(new ChunkRef(id(3), new ChunkLocation("a", 0, 100, 0, 50))), "never stored");

            // with the records gone, what the table knows is still answered, and only that
            try (RandomAccessFile records = new RandomAccessFile(tmp.resolve(LocalCache.folderName("host", "p",
                    "file:///store/")).resolve("chunks").toFile(), "rw")) {
                records.setLength(0);
            }
            assertEquals(againInB.at(), cache.chunk(againInB), "answered from memory: its own object is newest");
            assertEquals(onlyInA.at(), cache.chunk(onlyInA));
            assertNull(cache.chunk(inA), "a copy elsewhere needs its record read, and it is gone");
        }
    }

    @Test
    void aChunkWhoseObjectIsNoLongerListedIsNotOffered() throws IOException {
        ChunkRef inA = new ChunkRef(id(1), new ChunkLocation("a", 0, 100, 0, 50));
        try (LocalCache cache = open()) {
            commit(cache, "a", List.of(), List.of(inA));
            commit(cache, "b", List.of(), List.of());
        }
        try (LocalCache cache = open()) {
            cache.use(Set.of("b"));
            assertNull(cache.chunk(inA));
            assertNull(cache.chunk(inA.id()));
        }
    }

    @Test
    void theFileListIsGivenInOrderAcrossManyBatchesAndEndsWhereItIsDamaged() throws IOException {
        int count = 20_000; // more batches than wait at once (the decoding thread waits), and past the read buffer
        List<TreeEntry> files = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            files.add(file(i, List.of(new ChunkRef(id(i), new ChunkLocation("a", i * 100L, 100, 0, 100)))));
        }
        try (LocalCache cache = open()) {
            commit(cache, "a", files, List.of());
        }
        try (LocalCache cache = open()) {
            assertTrue(cache.use(Set.of("a")));
            for (int i = 0; i < count; i++) {
                TreeEntry found = cache.previousFile("src/f" + i);
                assertNotNull(found, "file " + i);
                assertEquals(files.get(i).chunks(), found.chunks());
            }
            assertNull(cache.previousFile("src/none"));
        }

        // the walk stops early (a failed backup): the decoding thread is stopped, not left waiting
        try (LocalCache cache = open()) {
            assertTrue(cache.use(Set.of("a")));
            assertNotNull(cache.previousFile("src/f0"));
        }
        assertTrue(Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("firesafe-cache-read")).allMatch(t -> !t.isAlive() || joined(t)));

        // a list cut in the middle gives what is before the cut; the rest are read again (null: not known)
        Path list = tmp.resolve(LocalCache.folderName("host", "p", "file:///store/")).resolve("files");
        try (RandomAccessFile f = new RandomAccessFile(list.toFile(), "rw")) {
            f.setLength(f.length() / 2);
        }
        try (LocalCache cache = open()) {
            assertTrue(cache.use(Set.of("a")));
            int found = 0;
            for (int i = 0; i < count; i++) {
                TreeEntry e = cache.previousFile("src/f" + i);
                if (e != null) {
                    assertEquals(files.get(i).chunks(), e.chunks());
                    found++;
                }
            }
            // all but the last of the whole 64 KiB segments before the cut: ~700 entries to a segment
            assertTrue(found > count * 0.4 && found < count * 0.55, found + " of " + count + " found before the cut");
        }
    }

    @Test
    void chunkRecordsWrittenBeforeACrashNeverPassForAnotherObjectsChunks() throws IOException {
        try (LocalCache cache = open()) {
            commit(cache, "a", List.of(), List.of(new ChunkRef(id(1), new ChunkLocation("a", 0, 100, 0, 50))));
            // backup b's commit breaks after its first 8192 records reached the disk (a full disk, a kill)
            LocalCache.FilesWriter writer = cache.newFiles();
            IOException broken = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
                    () -> cache.committed("b", false, writer, consumer -> {
                        for (int i = 0; i < 9000; i++) {
                            consumer.accept(new ChunkRef(id(1000 + i), new ChunkLocation("b", i * 100L, 100, 0, 50)));
                        }
                        throw new IOException("disk full");
                    }));
            assertEquals("disk full", broken.getMessage());
        }
        try (var left = java.nio.file.Files.list(tmp.resolve(LocalCache.folderName("host", "p", "file:///store/")))) {
            assertEquals(List.of(), left.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".new")).toList(),
                    "the failed commit's new file list is not left behind");
        }
        try (LocalCache cache = open()) {
            commit(cache, "c", List.of(), List.of(new ChunkRef(id(2), new ChunkLocation("c", 0, 100, 0, 50))));
        }
        try (LocalCache cache = open()) {
            cache.use(Set.of("a", "c")); // b never committed: its records must not be taken for c's chunks
            assertNull(cache.chunk(id(1000)), "a record of b's, numbered before the crash");
            assertEquals(new ChunkLocation("c", 0, 100, 0, 50), cache.chunk(id(2)));
            assertEquals(new ChunkLocation("a", 0, 100, 0, 50), cache.chunk(id(1)));
        }
    }

    private static boolean joined(Thread t) {
        try {
            t.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return !t.isAlive();
    }
}
