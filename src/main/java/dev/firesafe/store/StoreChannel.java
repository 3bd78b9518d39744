package dev.firesafe.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;

/**
 * A read-only, seekable view of one stored object, fetched with ranged reads and streamed, never buffered whole:
 * one request reads a range, and reads that carry on where the last ended stay on it; the next range doubles
 * (from {@link #FIRST_RANGE} up to {@link #MAX_RANGE}) while reads stay sequential, so a restore that streams an
 * object makes few requests, and one that needs a few chunks of an old object fetches little more than those. A
 * short jump forward is read over rather than asked for again.
 */
public final class StoreChannel implements SeekableByteChannel {

    static final long FIRST_RANGE = 256 * 1024;
    static final long MAX_RANGE = 64L << 20;
    /** A jump forward this short reads the bytes in between: cheaper than a new request. */
    static final long SKIP_LIMIT = 256 * 1024;

    private final Store store;
    private final String name;
    private final long size;
    private long position;
    private InputStream in;
    private long inPosition;
    private long inEnd;
    private long nextRange = FIRST_RANGE;
    private boolean open = true;
    private final byte[] skipBuffer = new byte[8192];
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
        if (!reaches(position)) {
            request();
        }
        int want = (int) Math.min(dst.remaining(), inEnd - position);
        int n;
        if (dst.hasArray()) {
            n = in.read(dst.array(), dst.arrayOffset() + dst.position(), want);
            if (n > 0) {
                dst.position(dst.position() + n);
            }
        } else {
            byte[] tmp = new byte[Math.min(want, 64 * 1024)];
            n = in.read(tmp, 0, tmp.length);
            if (n > 0) {
                dst.put(tmp, 0, n);
            }
        }
        if (n < 0) {
            throw new java.io.EOFException(name + " in " + store.describe() + " ends at " + position + ", before the "
                    + size + " bytes it was listed with");
        }
        position += n;
        inPosition += n;
        fetched += n;
        return n;
    }

    /** Whether the open range can deliver {@code at} next, reading over a short gap if need be. */
    private boolean reaches(long at) throws IOException {
        if (in == null || at < inPosition || at >= inEnd || at - inPosition > SKIP_LIMIT) {
            return false;
        }
        while (inPosition < at) {
            int n = in.read(skipBuffer, 0, (int) Math.min(skipBuffer.length, at - inPosition));
            if (n < 0) {
                return false;
            }
            inPosition += n;
        }
        return true;
    }

    private void request() throws IOException {
        boolean sequential = in != null && position == inEnd;
        closeRange();
        nextRange = sequential ? Math.min(MAX_RANGE, nextRange * 2) : FIRST_RANGE;
        long length = Math.min(nextRange, size - position);
        in = store.open(name, position, length);
        inPosition = position;
        inEnd = position + length;
        requests++;
    }

    private void closeRange() throws IOException {
        if (in != null) {
            in.close();
            in = null;
        }
    }

    /** Ranged requests sent and bytes delivered so far (measured in docs/incremental.md). */
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
    public void close() throws IOException {
        open = false;
        closeRange();
    }
}
