package dev.firesafe.engine.restore;

import dev.firesafe.core.IoMessages;

import java.io.IOException;

/**
 * Writing into the restore's destination failed (disk full, read-only, permission denied). Kept apart from the
 * errors of reading the backup so that a full disk is reported as what it is, with its own exit code, and is never
 * taken for a damaged backup: after a fire, "the backup is bad" and "this disk is too small" lead to different
 * next steps.
 */
final class DestinationIOException extends IOException {

    private DestinationIOException(IOException cause) {
        super(IoMessages.describe(cause), cause);
    }

    static DestinationIOException of(IOException e) {
        return e instanceof DestinationIOException d ? d : new DestinationIOException(e);
    }
}
