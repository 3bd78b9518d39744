package dev.firesafe.chunking;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * Pulls chunks out of an {@link InputStream}, one at a time:
 *
 * <pre>{@code
 * ChunkReader r = chunker.newReader();      // one per thread, reused for every file
 * r.reset(in);
 * while (r.next()) {
 *     hash(r.buffer(), r.offset(), r.length());   // view valid until the next call
 * }
 * }</pre>
 *
 * <p>Memory: one array of at most {@code max + readSize} bytes, grown on demand (small files never make it large)
 * and kept across {@link #reset}s. The stream is read straight into it, in reads as large as the free space; when
 * the end is reached, the unfinished chunk (less than {@code max} bytes) is moved to the front. No per-byte or
 * per-chunk allocation. Not thread-safe.
 */
public final class ChunkReader {

    private static final int INITIAL = 64 << 10;

    private final Cutter cutter;
    private final int capacity;
    /** The array chunks are cut from: {@link #own}, or the caller's array after {@link #reset(byte[], int, int)}. */
    private byte[] buf = new byte[0];
    private byte[] own = buf;
    private InputStream in;
    private int start;
    private int avail;
    private boolean eof = true;
    private int length;
    private long position;

    ChunkReader(Cutter cutter, int readSize) {
        if (readSize < 1) {
            throw new IllegalArgumentException("readSize must be positive: " + readSize);
        }
        this.cutter = cutter;
        this.capacity = (int) Math.min(Integer.MAX_VALUE - 16, (long) cutter.max + readSize);
    }

    /** Starts on a new stream (the previous one is dropped, not closed). */
    public ChunkReader reset(InputStream in) {
        this.in = Objects.requireNonNull(in, "in");
        buf = own;
        cutter.reset();
        start = 0;
        avail = 0;
        eof = false;
        length = 0;
        position = 0;
        return this;
    }

    /**
     * Starts on a stream that is all in {@code data[off, off+len)}: the chunks are views into {@code data}, with no
     * copy (for files read whole, or already in memory). The array must not change until the last chunk is used.
     */
    public ChunkReader reset(byte[] data, int off, int len) {
        Objects.checkFromIndexSize(off, len, data.length);
        this.in = null;
        buf = data;
        cutter.reset();
        start = off;
        avail = len;
        eof = true;
        length = 0;
        position = 0;
        return this;
    }

    /**
     * Moves to the next chunk.
     *
     * @return false at the end of the stream (an empty stream has no chunk)
     */
    public boolean next() throws IOException {
        if (length > 0) {
            start += length;
            avail -= length;
            position += length;
            length = 0;
        }
        while (true) {
            int c = cutter.next(buf, start, avail, eof);
            if (c > 0) {
                length = c;
                return true;
            }
            if (c == 0) {
                return false;
            }
            fill();
        }
    }

    private void fill() throws IOException {
        if (start + avail == buf.length) {
            if (buf.length < capacity && (start == 0 || avail > buf.length / 2)) {
                byte[] b = new byte[(int) Math.min(capacity, Math.max(INITIAL, 2L * buf.length))];
                System.arraycopy(buf, start, b, 0, avail);
                buf = b;
                own = b;
            } else {
                System.arraycopy(buf, start, buf, 0, avail);
            }
            start = 0;
        }
        int off = start + avail;
        int r = in.read(buf, off, buf.length - off);
        if (r < 0) {
            eof = true;
        } else {
            avail += r;
        }
    }

    /** The array holding the current chunk. */
    public byte[] buffer() {
        return buf;
    }

    /** Where the current chunk starts in {@link #buffer()}. */
    public int offset() {
        return start;
    }

    /** The current chunk's length in bytes. */
    public int length() {
        return length;
    }

    /** The current chunk's offset in the stream. */
    public long position() {
        return position;
    }
}
