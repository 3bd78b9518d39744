package dev.firesafe.target;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** Marks every read failure of a target's stream as a {@link TargetIOException}. */
public final class TargetInputStream extends FilterInputStream {
    private final String where;

    public TargetInputStream(InputStream in, String where) {
        super(in);
        this.where = where;
    }

    @Override
    public int read() throws IOException {
        try {
            return in.read();
        } catch (TargetIOException e) {
            throw e;
        } catch (IOException e) {
            throw new TargetIOException("cannot read from " + where + ": " + IoMessages.describe(e), e);
        }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        try {
            return in.read(b, off, len);
        } catch (TargetIOException e) {
            throw e;
        } catch (IOException e) {
            throw new TargetIOException("cannot read from " + where + ": " + IoMessages.describe(e), e);
        }
    }
}
