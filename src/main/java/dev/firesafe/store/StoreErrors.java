package dev.firesafe.store;

import dev.firesafe.core.IoMessages;
import dev.firesafe.core.StoreIOException;

import java.io.IOException;

/**
 * How a store's failures read, whatever the backend: {@code cannot read from STORE: REASON}, {@code NAME does not
 * exist in STORE}, {@code NAME already exists in STORE; not replacing it}. A backend knows why something failed
 * (its own reason, and whether asking again may help); how that is said is decided here, once, so the same
 * failure reads the same on a folder, a bucket or a repository. {@code STORE} is the store's
 * {@link Store#describe()}, which never holds credentials; {@code NAME} is the object's name within the store.
 */
public final class StoreErrors {

    private StoreErrors() {
    }

    /** {@code doing} ("cannot list", "cannot read from", ...) {@code store} failed for {@code reason}. */
    public static StoreIOException failed(String doing, String store, String reason, Throwable cause,
                                          boolean transientFailure) {
        return new StoreIOException(doing + " " + store + ": " + reason, cause, transientFailure);
    }

    /** The same for a JDK I/O failure, in words a person understands; a store's own failure is kept as it is. */
    public static StoreIOException failed(String doing, String store, IOException e) {
        if (e instanceof StoreIOException already) {
            return already;
        }
        return failed(doing, store, IoMessages.describe(e), e, false);
    }

    /** The object {@code name} is not in {@code store}. */
    public static StoreIOException missing(String name, String store, Throwable cause) {
        return new StoreIOException(name + " does not exist in " + store, cause);
    }

    /** A commit under {@code name}, which {@code store} already holds: a store never replaces an object. */
    public static StoreIOException exists(String name, String store, Throwable cause) {
        return new StoreIOException(name + " already exists in " + store + "; not replacing it", cause);
    }
}
