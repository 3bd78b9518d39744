package dev.firesafe.engine.backup;

import dev.firesafe.archive.Compression;
import dev.firesafe.crypto.JitWarmup;
import dev.firesafe.repository.format.Blocks;
import dev.firesafe.repository.format.ChunkLocation;
import dev.firesafe.repository.format.ObjectWriter;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import dev.firesafe.io.StageWait;

/**
 * Packs new chunks into blocks and writes them to the object in order, compressing on worker threads: chunks are
 * copied into the open block until it holds {@link #BLOCK_TARGET} bytes (small files share a block; a chunk larger
 * than that has one of its own), the block is compressed by a worker, and compressed blocks are written in the
 * order they were closed. Each chunk's location is known once its block is written; {@link NewChunk#resolved}
 * tells. Memory: the open block plus at most {@code workers + 1} blocks in flight.
 */
final class BlockWriter implements AutoCloseable {

    static final int BLOCK_TARGET = 1 << 20;
    /**
     * New bytes after which encryption is warmed up ({@link JitWarmup}): only a backup with that much to encrypt
     * gains from it; for an unchanged or slightly changed tree it was a second of CPU spent on nothing, a third of
     * such a backup's CPU time on two cores.
     */
    static final long WARM_UP_AFTER = 8L << 20;

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

    /** A block being compressed: its buffer and, once done, the encoded length. */
    private record InFlight(Future<Integer> encodedLength, ByteBuffer encoded, List<NewChunk> chunks,
                            AtomicReference<Thread> runner) {
    }

    private final ObjectWriter object;
    private final String objectId;
    private final Compression compression;
    private final int level;
    private final int maxInFlight;
    private final Written written;
    private final ExecutorService workers;
    private final Deque<InFlight> inFlight = new ArrayDeque<>();
    /**
     * Buffers are reused, never made per block (a block-sized array per block was garbage the size of the backup:
     * a 300 MB backup took 700 MB RSS), and they are off the heap (direct): on a small heap each block-sized array
     * is a G1 "humongous" object taking regions of its own, and a backup with -Xmx64m ran out of heap. There are
     * at most maxInFlight + 1 of each kind, each as large as a block can be (one chunk of the chunker's maximum, or
     * {@link #BLOCK_TARGET} of small ones), made as needed and freed with this writer.
     */
    private final BlockingQueue<ByteBuffer> freeRaw = new LinkedBlockingQueue<>();
    private final BlockingQueue<ByteBuffer> freeEncoded = new LinkedBlockingQueue<>();
    private final int bufferSize;
    private ByteBuffer open;
    private int filled;
    private List<NewChunk> openChunks = new ArrayList<>();
    private long added;

    BlockWriter(ObjectWriter object, String objectId, Compression compression, int level, int workers,
                int maxChunk, Written written) {
        this.bufferSize = Math.max(BLOCK_TARGET, maxChunk);
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
        if (open == null) {
            open = take(freeRaw, bufferSize);
        }
        if (open.capacity() < filled + length) {
            throw new IllegalArgumentException("a chunk of " + length + " bytes is larger than the chunker's maximum");
        }
        if (added < WARM_UP_AFTER && added + length >= WARM_UP_AFTER) {
            JitWarmup.encryption(); // in the background; never waited for
        }
        added += length;
        open.put(filled, data, offset, length);
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
        ByteBuffer raw = open;
        int length = filled;
        List<NewChunk> chunks = openChunks;
        ByteBuffer encoded = take(freeEncoded, Blocks.maxEncoded(bufferSize));
        AtomicReference<Thread> runner = new AtomicReference<>();
        inFlight.add(new InFlight(workers.submit(() -> {
            runner.set(Thread.currentThread());
            try {
                return Blocks.encode(raw, length, compression, level, encoded);
            } finally {
                freeRaw.offer(raw);
            }
        }), encoded, chunks, runner));
        open = null;
        filled = 0;
        openChunks = new ArrayList<>();
        writeDone(maxInFlight, true);
    }

    /** A free buffer, a new one while fewer than maxInFlight + 1 exist, else the next one given back. */
    private ByteBuffer take(BlockingQueue<ByteBuffer> pool, int size) throws IOException {
        ByteBuffer b = pool.poll();
        if (b != null) {
            return b;
        }
        if (pool == freeRaw ? rawMade++ <= maxInFlight : encodedMade++ <= maxInFlight) {
            return ByteBuffer.allocateDirect(size);
        }
        try {
            return pool.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for a block buffer");
        }
    }

    private int rawMade;
    private int encodedMade;

    /** Writes finished blocks from the head; waits while more than {@code keep} are in flight (if allowed). */
    private void writeDone(int keep, boolean wait) throws IOException {
        while (!inFlight.isEmpty() && (inFlight.size() > keep || inFlight.peek().encodedLength().isDone())) {
            InFlight head = inFlight.peek();
            if (!wait && !head.encodedLength().isDone()) {
                return;
            }
            int length = result(head);
            inFlight.remove();
            long at = object.writeBlock(head.encoded(), length);
            freeEncoded.offer(head.encoded());
            for (NewChunk c : head.chunks()) {
                c.location = new ChunkLocation(objectId, at, length, c.offsetInBlock, c.length);
            }
            written.written(head.chunks(), length);
        }
    }

    /** The block's encoded length once compressed; never waits for a compressing thread that died. */
    private static int result(InFlight block) throws IOException {
        try {
            return StageWait.get(block.encodedLength(), block.runner()::get, "compressing a block");
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
