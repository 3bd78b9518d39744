package dev.firesafe.io;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Waits for a pipeline stage's result without ever waiting for a thread that is gone (issue #18 point 1). A stage
 * thread can die without completing its Future: an OutOfMemoryError thrown again while the Future records the
 * first one escapes it ("thrown from the UncaughtExceptionHandler"), and a plain {@code get()} then waits forever.
 * This one looks every {@value #RECHECK_MS} ms whether the thread running the stage still lives.
 */
public final class StageWait {

    private static final int RECHECK_MS = 50;

    private StageWait() {
    }

    /**
     * The result of {@code stage}, run by the thread {@code runner} gives (null while none has started it); throws
     * what the stage failed with (as {@link ExecutionException}), or an IOException naming {@code what} when its
     * thread ended without a result.
     */
    public static <T> T get(Future<T> stage, Supplier<Thread> runner, String what)
            throws IOException, ExecutionException {
        try {
            while (true) {
                try {
                    return stage.get(RECHECK_MS, TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    Thread t = runner.get();
                    if (t != null && !t.isAlive() && !stage.isDone()) {
                        throw new IOException(what + " stopped without finishing (its thread died: out of memory?)");
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for " + what);
        }
    }
}
