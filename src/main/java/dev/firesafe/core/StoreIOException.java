package dev.firesafe.core;

import java.io.IOException;

/** An I/O failure of the target itself (unreachable, full, permission denied), as opposed to damaged data. */
public class StoreIOException extends IOException {
    public StoreIOException(String message, Throwable cause) {
        super(message, cause);
    }
}
