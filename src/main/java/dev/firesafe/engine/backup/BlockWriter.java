package dev.firesafe.engine.backup;

import dev.firesafe.archive.Compression;
import dev.firesafe.repository.format.Blocks;
import dev.firesafe.repository.format.ChunkLocation;
import dev.firesafe.repository.format.ObjectWriter;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Packs new chunks into blocks and writes them to the object in order, compressing on worker threads: chunks are
 * copied into the open block until it holds {@link #BLOCK_TARGET} bytes (small files share a block; a chunk larger
 * than that has one of its own), the block is compressed by a worker, and compressed blocks are written in the
 * order they were closed. Each chunk's location is known once its block is written; {@link NewChunk#resolved}
 * tells. Memory: the open block plus at most {@code workers + 1} blocks in flight.
 */
final class BlockWriter implements AutoCloseable {

    static final int BLOCK_TARGET = 1 << 20;

    /** A chunk stored by this backup; its location is set when its block is written. */
    static final class NewChunk {
        final byte[] id;
        final int offsetInBlock;
        final int length;
        volatile ChunkLocation location;

        NewChunk(byte[] id, int offsetInBlock, int length) {
            this.id = id;
            this.offsetInBlock = offsetInBlock;
            this.length = length;
        }

        boolean resolved() {
            return location != null;
        }
    }

    /** Told of every block written, with the chunks it holds (their locations now set). */
    interface Written {
        void written(List<NewChunk> chunks, int storedLength) throws IOException;
    }

    private record InFlight(Future<byte[]> encoded, List<NewChunk> chunks) {
    }

    private final ObjectWriter object;
    private final String objectId;
    private final Compression compression;
    private final int level;
    private final int maxInFlight;
    private final Written written;
    private final ExecutorService workers;
    private final Deque<InFlight> inFlight = new ArrayDeque<>();
    private byte[] open = new byte[BLOCK_TARGET];
    private int filled;
    private List<NewChunk> openChunks = new ArrayList<>();

    BlockWriter(ObjectWriter object, String objectId, Compression compression, int level, int workers,
                Written written) {
        this.object = object;
        this.objectId = objectId;
        this.compression = compression;
        this.level = level;
        this.maxInFlight = Math.max(1, workers) + 1;
        this.written = written;
        this.workers = Executors.newFixedThreadPool(Math.max(1, workers), r -> {
            Thread t = new Thread(r, "firesafe-compress");
            t.setDaemon(true);
            return t;
        });
    }

    /** Copies a new chunk into the open block; returns its handle (unresolved until the block is written). */
    NewChunk add(byte[] id, byte[] data, int offset, int length) throws IOException {
        if (filled > 0 && filled + length > BLOCK_TARGET) {
            close(false);
        }
        if (open.length < filled + length) {
            open = java.util.Arrays.copyOf(open, filled + length);
        }
        System.arraycopy(data, offset, open, filled, length);
        NewChunk chunk = new NewChunk(id, filled, length);
        filled += length;
        openChunks.add(chunk);
        if (filled >= BLOCK_TARGET) {
            close(false);
        }
        return chunk;
    }

    /** Closes the open block, and with {@code all} waits until every block is written. */
    void flush(boolean all) throws IOException {
        if (filled > 0) {
            close(false);
        }
        writeDone(all ? 0 : maxInFlight - 1, true);
    }

    /** Writes the blocks whose compression is done, in order, without waiting. */
    void writeReady() throws IOException {
        writeDone(Integer.MAX_VALUE, false);
    }

    private void close(boolean unused) throws IOException {
        byte[] raw = open;
        int length = filled;
        List<NewChunk> chunks = openChunks;
        inFlight.add(new InFlight(workers.submit(() -> Blocks.encode(raw, length, compression, level)), chunks));
        open = new byte[Math.max(BLOCK_TARGET, 0)];
        filled = 0;
        openChunks = new ArrayList<>();
        writeDone(maxInFlight, true);
    }

    /** Writes finished blocks from the head; waits while more than {@code keep} are in flight (if allowed). */
    private void writeDone(int keep, boolean wait) throws IOException {
        while (!inFlight.isEmpty() && (inFlight.size() > keep || inFlight.peek().encoded().isDone())) {
            InFlight head = inFlight.peek();
            if (!wait && !head.encoded().isDone()) {
                return;
            }
            byte[] encoded = result(head.encoded());
            inFlight.remove();
            long at = object.writeBlock(encoded, encoded.length);
            for (NewChunk c : head.chunks()) {
                c.location = new ChunkLocation(objectId, at, encoded.length, c.offsetInBlock, c.length);
            }
            written.written(head.chunks(), encoded.length);
        }
    }

    private static byte[] result(Future<byte[]> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while compressing");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IOException("compressing a block failed: " + cause, cause);
        }
    }

    @Override
    public void close() {
        workers.shutdownNow();
    }
}
