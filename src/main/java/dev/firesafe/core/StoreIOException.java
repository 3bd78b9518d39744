package dev.firesafe.core;

import java.io.IOException;

/**
 * An I/O failure of a store itself (unreachable, full, permission denied), as opposed to damaged data. A transient
 * one (a dropped connection, a timeout, a server's 5xx) may go away when asked again; a permanent one (no such
 * bucket, access denied, disk full) will not.
 */
public class StoreIOException extends IOException {

    private final boolean transientFailure;

    public StoreIOException(String message, Throwable cause) {
        this(message, cause, false);
    }

    public StoreIOException(String message, Throwable cause, boolean transientFailure) {
        super(message, cause);
        this.transientFailure = transientFailure;
    }

    /** Whether asking again may succeed. */
    public boolean transientFailure() {
        return transientFailure;
    }
}
