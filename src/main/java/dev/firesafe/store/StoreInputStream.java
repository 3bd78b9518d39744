package dev.firesafe.store;

import dev.firesafe.io.ErrorMappingInputStream;

import java.io.IOException;
import java.io.InputStream;

/** Marks every read failure of a target's stream as a {@link StoreIOException}. */
public final class StoreInputStream extends ErrorMappingInputStream {
    private final String where;

    public StoreInputStream(InputStream in, String where) {
        super(in);
        this.where = where;
    }

    @Override
    protected IOException map(IOException e) {
        return StoreErrors.failed("cannot read from", where, e);
    }
}
