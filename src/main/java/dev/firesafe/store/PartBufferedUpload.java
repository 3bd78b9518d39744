package dev.firesafe.store;

import dev.firesafe.core.StoreIOException;
import java.io.IOException;
import java.io.OutputStream;

/**
 * An upload to a store that takes archives in parts (S3 multipart, GitHub files): written bytes collect in one
 * part-sized buffer, the upload's whole memory, and a full buffer is handed to {@link #sendFullPart()} only when
 * the next byte arrives. So at commit an archive that fit in one part is still entirely in the buffer, and the
 * subclass can send it in one request.
 */
public abstract class PartBufferedUpload extends OutputStream implements Store.Upload {

    protected byte[] part; // a subclass may swap in a fresh buffer while the full one is still being sent
    protected int filled;
    protected long written;
    protected boolean finished; // committed or aborted

    protected PartBufferedUpload(int partSize) {
        this.part = new byte[partSize];
    }

    /** Sends {@code part[0, filled)} as the next part and empties the buffer ({@code filled = 0}). */
    protected abstract void sendFullPart() throws IOException;

    /** The target, for messages. */
    protected abstract String where();

    @Override
    public OutputStream stream() {
        return this;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[]{(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (finished) {
            throw new StoreIOException("upload to " + where() + " was aborted", null);
        }
        while (len > 0) {
            if (filled == part.length) {
                sendFullPart();
            }
            int n = Math.min(len, part.length - filled);
            System.arraycopy(b, off, part, filled, n);
            filled += n;
            written += n;
            off += n;
            len -= n;
        }
    }

    @Override
    public void close() {
        // Nothing to send yet: the last part goes with commit(), which must come next (or abort()).
    }
}
