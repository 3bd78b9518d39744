package dev.firesafe.target;

import java.io.IOException;

/** An I/O failure of the target itself (unreachable, full, permission denied), as opposed to damaged data. */
public class TargetIOException extends IOException {
    public TargetIOException(String message, Throwable cause) {
        super(message, cause);
    }
}
