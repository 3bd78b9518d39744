package dev.firesafe.target;

import dev.firesafe.io.ErrorMappingInputStream;

import java.io.IOException;
import java.io.InputStream;

/** Marks every read failure of a target's stream as a {@link TargetIOException}. */
public final class TargetInputStream extends ErrorMappingInputStream {
    private final String where;

    public TargetInputStream(InputStream in, String where) {
        super(in);
        this.where = where;
    }

    @Override
    protected IOException map(IOException e) {
        if (e instanceof TargetIOException) {
            return e;
        }
        return new TargetIOException("cannot read from " + where + ": " + IoMessages.describe(e), e);
    }
}
