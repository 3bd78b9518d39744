package dev.firesafe.core;


import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ExecutionException;

/**
 * Turns whatever a pipeline threw, on whichever thread, into one {@link FiresafeException} with the right exit
 * code. The most specific cause wins: a tampered segment is an integrity failure even if it surfaced as "the
 * previous pipeline stage failed" in another thread.
 */
public final class Failures {
    private Failures() {
    }

    public static FiresafeException classify(Throwable t, String context) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof FiresafeException fe) {
                return fe;
            }
        }
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof TamperedException te) {
                return FiresafeException.integrity(te.getMessage(), te);
            }
        }
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof StoreIOException te) {
                String message = te.getMessage();
                // targets name themselves and what failed ("cannot list s3://b/p: ..."): said once is enough
                return FiresafeException.target(message.startsWith(context) ? message : context + ": " + message, te);
            }
        }
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String reason = root instanceof IOException io ? IoMessages.describe(io) : String.valueOf(root);
        return new FiresafeException(ExitCode.FAILURE, context + ": " + reason, t);
    }

    /** The cause of an ExecutionException as something {@link #classify} understands. */
    public static IOException unwrap(ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof IOException io) {
            return io;
        }
        if (cause instanceof UncheckedIOException u) {
            return u.getCause();
        }
        if (cause instanceof RuntimeException r) {
            throw r;
        }
        if (cause instanceof Error err) {
            throw err;
        }
        return new IOException(cause);
    }
}
