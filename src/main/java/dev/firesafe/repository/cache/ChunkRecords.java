package dev.firesafe.repository.cache;

import dev.firesafe.repository.format.ChunkLocation;
import dev.firesafe.repository.format.ChunkRef;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;

/**
 * Where a store's chunks are, as fixed-size records on disk (id, object number, block offset and length, offset
 * and length in the block): appended when a backup is committed, read by position when a lookup in the
 * {@link ChunkTable} finds a candidate. The ids are keyed hashes (they reveal no content); the object numbers index
 * the cache's object list.
 */
final class ChunkRecords implements AutoCloseable {

    static final int RECORD = ChunkRef.ID_BYTES + 4 + 8 + 4 + 4 + 4;

    private final FileChannel file;

    ChunkRecords(Path path) throws IOException {
        this.file = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
    }

    long count() throws IOException {
        return file.size() / RECORD;
    }

    /**
     * Reads record {@code n} into the given holders; returns its object number. Safe from several threads at once
     * (a backup's walk asks for an unchanged file's chunks while its chunker asks for new ones): each read has its
     * own buffer, since a shared one let one thread's record be read with another's location.
     */
    int read(long n, byte[] id, long[] location) throws IOException {
        ByteBuffer one = ByteBuffer.allocate(RECORD);
        long at = n * RECORD;
        while (one.hasRemaining()) {
            if (file.read(one, at + one.position()) < 0) {
                throw new IOException("chunk record " + n + " is cut short");
            }
        }
        one.flip();
        one.get(id);
        int object = one.getInt();
        location[0] = one.getLong();
        location[1] = one.getInt();
        location[2] = one.getInt();
        location[3] = one.getInt();
        return object;
    }

    /** Told of each record in order by {@link #scan}: its number, id (reused between calls) and object number. */
    interface Visitor {
        void record(long n, byte[] id, int object) throws IOException;
    }

    /**
     * Every record in order, read in large pieces: the start of every backup visits them all, and a read per
     * record was a system call per chunk.
     */
    void scan(Visitor visitor) throws IOException {
        long n = count();
        ByteBuffer piece = ByteBuffer.allocate(RECORD * 2048);
        byte[] id = new byte[ChunkRef.ID_BYTES];
        for (long r = 0; r < n; ) {
            piece.clear();
            piece.limit((int) Math.min(piece.capacity(), (n - r) * RECORD));
            long at = r * RECORD;
            while (piece.hasRemaining()) {
                if (file.read(piece, at + piece.position()) < 0) {
                    throw new IOException("chunk record " + (at + piece.position()) / RECORD + " is cut short");
                }
            }
            piece.flip();
            while (piece.remaining() >= RECORD) {
                piece.get(id);
                int object = piece.getInt();
                piece.position(piece.position() + RECORD - ChunkRef.ID_BYTES - 4);
                visitor.record(r++, id, object);
            }
        }
    }

    /** Appends records, then forces them to disk (the cache must never hold more than was committed). */
    void append(List<ChunkRef> chunks, java.util.function.ToIntFunction<String> objectNumber) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(Math.max(1, chunks.size()) * RECORD);
        for (ChunkRef c : chunks) {
            ChunkLocation at = c.at();
            b.put(c.id()).putInt(objectNumber.applyAsInt(at.objectId())).putLong(at.blockOffset())
                    .putInt(at.blockLength()).putInt(at.offsetInBlock()).putInt(at.length());
        }
        b.flip();
        long end = file.size() - file.size() % RECORD; // a record cut by a crash is overwritten
        while (b.hasRemaining()) {
            end += file.write(b, end);
        }
        file.force(false);
    }

    /**
     * The location of chunk {@code id}: a candidate from {@code table} confirmed by its record's full id, the object
     * number read through {@code objects}; null if none.
     */
    ChunkLocation find(ChunkTable table, byte[] id, List<String> objects) {
        byte[] candidate = new byte[ChunkRef.ID_BYTES];
        long[] location = new long[4];
        int[] object = new int[1];
        int r = table.find(id, n -> {
            try {
                object[0] = read(n, candidate, location);
                return sameId(candidate, id);
            } catch (IOException e) {
                return false;
            }
        });
        return r < 0 ? null : new ChunkLocation(objects.get(object[0]), location[0], (int) location[1],
                (int) location[2], (int) location[3]);
    }

    /** Drops every record: the cache is rebuilt from what a read of the store found. */
    void clear() throws IOException {
        file.truncate(0);
    }

    static boolean sameId(byte[] a, byte[] b) {
        return Arrays.equals(a, b);
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}
