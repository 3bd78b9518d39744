package dev.firesafe.io;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * An input stream that re-labels the I/O errors of the stream it wraps, so that later stages can tell where a
 * failure came from (the target, or the authentication of the data) by its type, whatever thread it surfaces on.
 */
public abstract class ErrorMappingInputStream extends FilterInputStream {

    protected ErrorMappingInputStream(InputStream in) {
        super(in);
    }

    /** The exception to throw for {@code e}; may return {@code e} itself. */
    protected abstract IOException map(IOException e);

    @Override
    public int read() throws IOException {
        try {
            return in.read();
        } catch (IOException e) {
            throw map(e);
        }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        try {
            return in.read(b, off, len);
        } catch (IOException e) {
            throw map(e);
        }
    }
}
