package dev.firesafe.io;

import dev.firesafe.core.Failures;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A bounded, back-pressured byte pipe between two threads, so pipeline stages (archive+compress, encrypt+write)
 * run on both cores at once. At most {@code depth} full chunks wait in the pipe, plus one being filled and one
 * being drained: memory stays at {@code (depth + 2) * chunkSize} however large the backup.
 *
 * <p>Unlike {@link java.io.PipedInputStream} (1 KiB buffer, one-second polling), chunks are large and handed
 * over whole. Failures travel both ways: if the reader stops early, the writer's next write throws; if the writer
 * {@link #fail}s, the reader's next read throws with that cause. Waits re-check the other side's state every
 * {@value #RECHECK_MS} ms, so neither side can block forever on a partner that died.
 */
public final class ChunkPipe {

    private static final int RECHECK_MS = 50;
    private static final Chunk END = new Chunk(new byte[0], 0);

    private record Chunk(byte[] data, int length) {
    }

    private final int chunkSize;
    private final BlockingQueue<Chunk> full;
    private final BlockingQueue<byte[]> spare;
    private volatile Throwable writerFailure;
    private volatile boolean readerClosed;
    /** The thread that reads, once known: a reader that died without closing counts as gone. */
    private volatile Thread reader;
    /** The thread that writes, if known: a writer that died without failing or closing the pipe ends the reading. */
    private volatile Thread writer;

    public ChunkPipe(int chunkSize, int depth) {
        this.chunkSize = chunkSize;
        this.full = new ArrayBlockingQueue<>(depth + 1);
        this.spare = new ArrayBlockingQueue<>(depth + 2);
    }

    /** Marks the writing side as failed: the reader gets an IOException caused by {@code cause}. */
    public void fail(Throwable cause) {
        writerFailure = cause;
    }

    /**
     * Names the thread that reads, before it starts: one that dies before its first read (an OutOfMemoryError in
     * its set-up) still counts as gone for the writer.
     */
    public ChunkPipe readBy(Thread thread) {
        reader = thread;
        return this;
    }

    /** Names the thread that writes: if it dies without {@link #fail} or closing, the reader's next read throws. */
    public ChunkPipe writtenBy(Thread thread) {
        writer = thread;
        return this;
    }

    public Sink sink() {
        return new Sink();
    }

    public InputStream source() {
        return new Source();
    }

    /** The writing side. */
    public final class Sink extends OutputStream {
        private byte[] current = new byte[chunkSize];
        private int used;
        private boolean closed;

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (closed) {
                throw new IOException("pipe closed");
            }
            while (len > 0) {
                int n = Math.min(len, current.length - used);
                System.arraycopy(b, off, current, used, n);
                used += n;
                off += n;
                len -= n;
                if (used == current.length) {
                    handCurrent();
                }
            }
        }

        /**
         * Reads {@code in} to its end straight into the pipe's chunks, without the copy through a buffer of the
         * caller's that {@code in.transferTo(this)} would make; returns the number of bytes. Does not close.
         */
        public long transferFrom(InputStream in) throws IOException {
            if (closed) {
                throw new IOException("pipe closed");
            }
            long total = 0;
            int n;
            while ((n = in.read(current, used, current.length - used)) >= 0) {
                used += n;
                total += n;
                if (used == current.length) {
                    handCurrent();
                }
            }
            return total;
        }

        private void handCurrent() throws IOException {
            hand(new Chunk(current, used));
            byte[] reuse = spare.poll();
            current = reuse != null ? reuse : new byte[chunkSize];
            used = 0;
        }

        @Override
        public void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            if (used > 0) {
                hand(new Chunk(current, used));
            }
            hand(END);
        }

        private void hand(Chunk chunk) throws IOException {
            try {
                checkReader();
                while (!full.offer(chunk, RECHECK_MS, TimeUnit.MILLISECONDS)) {
                    checkReader();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while writing to the pipe");
            }
        }

        private void checkReader() throws IOException {
            Thread r = reader;
            if (readerClosed || r != null && !r.isAlive()) {
                throw new ReaderGoneException();
            }
        }
    }

    /** The reading stage stopped before the end: its own failure is the one to report. */
    public static final class ReaderGoneException extends IOException {
        ReaderGoneException() {
            super("the next pipeline stage stopped reading");
        }
    }

    private final class Source extends InputStream {
        private Chunk chunk;
        private int pos;
        private boolean ended;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            while (chunk == null || pos == chunk.length) {
                if (!advance()) {
                    return -1;
                }
            }
            int n = Math.min(len, chunk.length - pos);
            System.arraycopy(chunk.data, pos, b, off, n);
            pos += n;
            return n;
        }

        /** Writes the chunks themselves to {@code out}, without the copy through a buffer InputStream's makes. */
        @Override
        public long transferTo(OutputStream out) throws IOException {
            long total = 0;
            do {
                if (chunk != null && pos < chunk.length) {
                    int n = chunk.length - pos;
                    out.write(chunk.data, pos, n);
                    pos += n;
                    total += n;
                }
            } while (advance());
            return total;
        }

        /** Moves on to the next chunk, waiting for it; false at the end of the stream. */
        private boolean advance() throws IOException {
            if (ended) {
                return false;
            }
            recycle();
            chunk = next();
            pos = 0;
            if (chunk == END) {
                ended = true;
                chunk = null;
                return false;
            }
            return true;
        }

        private void recycle() {
            if (chunk != null && chunk.data.length == chunkSize) {
                spare.offer(chunk.data);
            }
            chunk = null;
        }

        private Chunk next() throws IOException {
            if (reader == null) {
                reader = Thread.currentThread();
            }
            try {
                while (true) {
                    Chunk c = full.poll(RECHECK_MS, TimeUnit.MILLISECONDS);
                    if (c != null) {
                        return c;
                    }
                    Throwable failure = writerFailure;
                    if (failure != null) {
                        throw new IOException("the previous pipeline stage failed", failure);
                    }
                    Thread w = writer;
                    if (w != null && !w.isAlive() && full.isEmpty() && writerFailure == null) {
                        throw new IOException("the previous pipeline stage stopped without finishing (its thread "
                                + "died: out of memory?)");
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while reading from the pipe");
            }
        }

        @Override
        public void close() {
            readerClosed = true;
            full.clear();
        }
    }
}
