package dev.firesafe.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;

/**
 * A read-only, seekable view of one stored object, fetched with ranged reads: a window of the object is read at
 * a time and kept, so reading forward costs one request per window and a jump costs one more. The window grows
 * while reads stay sequential (up to {@link #MAX_WINDOW}) and falls back after a jump, so a restore that needs
 * a few chunks of an old object does not download all of it, and one that needs most of it streams.
 */
public final class StoreChannel implements SeekableByteChannel {

    static final int MIN_WINDOW = 256 * 1024;
    static final int MAX_WINDOW = 4 << 20;

    private final Store store;
    private final String name;
    private final long size;
    private long position;
    private byte[] window = new byte[0];
    private long windowStart = -1;
    private int windowLength;
    private int nextWindow = MIN_WINDOW;
    private boolean open = true;
    private long requests;
    private long fetched;

    /** {@code size}: the object's size as the store lists it. */
    public StoreChannel(Store store, String name, long size) {
        this.store = store;
        this.name = name;
        this.size = size;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (!open) {
            throw new ClosedChannelException();
        }
        if (position >= size) {
            return -1;
        }
        if (windowStart < 0 || position < windowStart || position >= windowStart + windowLength) {
            fill();
        }
        int from = (int) (position - windowStart);
        int n = Math.min(dst.remaining(), windowLength - from);
        dst.put(window, from, n);
        position += n;
        return n;
    }

    private void fill() throws IOException {
        boolean sequential = windowStart >= 0 && position == windowStart + windowLength;
        nextWindow = sequential ? Math.min(MAX_WINDOW, nextWindow * 2) : MIN_WINDOW;
        int length = (int) Math.min(nextWindow, size - position);
        if (window.length < length) {
            window = new byte[Math.max(length, Math.min(MAX_WINDOW, window.length * 2))];
        }
        try (InputStream in = store.open(name, position, length)) {
            int n = in.readNBytes(window, 0, length);
            if (n < length) {
                throw new java.io.EOFException(name + " in " + store.describe() + " ends at " + (position + n)
                        + ", before the " + size + " bytes it was listed with");
            }
        }
        requests++;
        fetched += length;
        windowStart = position;
        windowLength = length;
    }

    /** Ranged requests sent and bytes fetched so far (measured in docs/incremental.md). */
    public long requests() {
        return requests;
    }

    public long fetched() {
        return fetched;
    }

    @Override
    public int write(ByteBuffer src) {
        throw new NonWritableChannelException();
    }

    @Override
    public long position() {
        return position;
    }

    @Override
    public SeekableByteChannel position(long newPosition) {
        position = newPosition;
        return this;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public SeekableByteChannel truncate(long s) {
        throw new NonWritableChannelException();
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public void close() {
        open = false;
        window = new byte[0];
    }
}
