package dev.firesafe.chunking;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;

/**
 * Cuts what is written to it into chunks and hands each to a {@link ChunkSink}: for a pipeline that already has the
 * bytes in arrays (a tar reader, a decompressor, a database dump) and pushes them.
 *
 * <p>A chunk that lies wholly inside one {@code write} is handed out as a view into the caller's array, with no
 * copy. Only a chunk that spans writes is gathered in an internal array of at most {@code max} bytes (grown on
 * demand). {@link #finish()} ends the stream: it emits the last chunk and makes the object ready for the next
 * stream (positions start again at 0), so one instance can serve every file. {@link #close()} = {@link #finish()}.
 * Not thread-safe.
 */
public final class ChunkingOutputStream extends OutputStream {

    private static final int INITIAL = 64 << 10;

    private final Cutter cutter;
    private final ChunkSink sink;
    private byte[] buf = new byte[0];
    private int buffered;
    private long position;
    private final byte[] one = new byte[1];

    ChunkingOutputStream(Cutter cutter, ChunkSink sink) {
        this.cutter = cutter;
        this.sink = Objects.requireNonNull(sink, "sink");
    }

    @Override
    public void write(int b) throws IOException {
        one[0] = (byte) b;
        write(one, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        while (len > 0) {
            if (buffered == 0) {
                while (len > 0) {
                    int c = cutter.next(b, off, len, false);
                    if (c < 0) {
                        break;
                    }
                    sink.chunk(position, b, off, c);
                    position += c;
                    off += c;
                    len -= c;
                }
                if (len > 0) {
                    // less than max bytes without a boundary: keep them until more arrive
                    ensure(len);
                    System.arraycopy(b, off, buf, 0, len);
                    buffered = len;
                }
                return;
            }
            int n = Math.min(len, cutter.max - buffered);
            ensure(buffered + n);
            System.arraycopy(b, off, buf, buffered, n);
            int c = cutter.next(buf, 0, buffered + n, false);
            if (c < 0) {
                buffered += n;
                off += n;
                len -= n;
                continue;
            }
            if (c <= buffered) {
                throw new IllegalStateException("boundary inside bytes already searched");
            }
            sink.chunk(position, buf, 0, c);
            position += c;
            int used = c - buffered;
            off += used;
            len -= used;
            buffered = 0;
        }
    }

    private void ensure(int size) {
        if (size > buf.length) {
            byte[] b = new byte[(int) Math.min(cutter.max, Math.max(Math.max(INITIAL, size), 2L * buf.length))];
            System.arraycopy(buf, 0, b, 0, buffered);
            buf = b;
        }
    }

    /** Emits the last chunk of the current stream, if any, and starts a new stream. */
    public void finish() throws IOException {
        int off = 0;
        while (buffered > 0) {
            int c = cutter.next(buf, off, buffered, true);
            sink.chunk(position, buf, off, c);
            position += c;
            off += c;
            buffered -= c;
        }
        cutter.reset();
        position = 0;
    }

    /** Bytes written to the current stream so far. */
    public long position() {
        return position + buffered;
    }

    @Override
    public void close() throws IOException {
        finish();
    }
}
