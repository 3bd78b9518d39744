package dev.firesafe.repository.cache;

import dev.firesafe.repository.format.ChunkLocation;
import dev.firesafe.repository.format.ChunkRef;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The chunks one backup stores, as it stores them: so that a second copy of a chunk within the same backup (a
 * copied file, a duplicate block) is referenced, and so that the stores' caches learn them once committed. On
 * disk (a temporary file of records, removed on close) with 20 bytes a chunk in memory, so a first backup of a
 * million small files does not hold a million objects.
 */
public final class RunChunks implements AutoCloseable, LocalCache.ChunkSource {

    private static final int BATCH = 4096;

    private final Path file;
    private final ChunkRecords records;
    private final ChunkTable table = new ChunkTable();
    private final List<String> objects = new ArrayList<>();
    private final List<ChunkRef> pending = new ArrayList<>();
    private long count;

    public RunChunks() throws IOException {
        file = Files.createTempFile("firesafe-chunks-", ".run");
        records = new ChunkRecords(file);
    }

    public void add(ChunkRef chunk) throws IOException {
        pending.add(chunk);
        table.put(chunk.id().clone(), (int) (count + pending.size() - 1));
        if (pending.size() >= BATCH) {
            flush();
        }
    }

    private void flush() throws IOException {
        if (!pending.isEmpty()) {
            records.append(pending, this::number);
            count += pending.size();
            pending.clear();
        }
    }

    private int number(String objectId) {
        int i = objects.indexOf(objectId);
        if (i >= 0) {
            return i;
        }
        objects.add(objectId);
        return objects.size() - 1;
    }

    /** Where this backup put chunk {@code id}, or null. */
    public ChunkLocation find(byte[] id) {
        byte[] candidate = new byte[ChunkRef.ID_BYTES];
        long[] location = new long[4];
        int[] object = new int[1];
        ChunkRef[] inMemory = new ChunkRef[1];
        int r = table.find(id, n -> {
            if (n >= count) {
                ChunkRef c = pending.get((int) (n - count));
                inMemory[0] = c;
                return ChunkRecords.sameId(c.id(), id);
            }
            inMemory[0] = null;
            try {
                object[0] = records.read(n, candidate, location);
                return ChunkRecords.sameId(candidate, id);
            } catch (IOException e) {
                return false;
            }
        });
        if (r < 0) {
            return null;
        }
        if (inMemory[0] != null) {
            return inMemory[0].at();
        }
        return new ChunkLocation(objects.get(object[0]), location[0], (int) location[1], (int) location[2],
                (int) location[3]);
    }

    @Override
    public void forEach(LocalCache.ChunkConsumer consumer) throws IOException {
        flush();
        byte[] id = new byte[ChunkRef.ID_BYTES];
        long[] location = new long[4];
        for (long n = 0; n < count; n++) {
            int object = records.read(n, id, location);
            consumer.accept(new ChunkRef(id.clone(), new ChunkLocation(objects.get(object), location[0],
                    (int) location[1], (int) location[2], (int) location[3])));
        }
    }

    @Override
    public void close() {
        try {
            records.close();
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // a temporary file of ids and offsets: nothing secret is left behind
        }
    }
}
