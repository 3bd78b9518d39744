package dev.firesafe.cli;

import dev.firesafe.core.Progress;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress display on stderr (bytes, rate, ETA when the total is known), redrawn at most four times a
 * second. Only used when stderr is a terminal and --json is off, so logs and scripts never see it.
 */
final class ProgressLine implements Progress, AutoCloseable {

    private static final long REDRAW_NANOS = 250_000_000L;

    private final PrintStream err;
    private final long total;
    private final long start = System.nanoTime();
    private volatile long lastDraw;
    private boolean drawn;

    private ProgressLine(PrintStream err, long total) {
        this.err = err;
        this.total = total;
    }

    /** A display if we talk to a person, else {@link Progress#NONE}. */
    static Progress forTerminal(boolean json, long total) {
        return json || System.console() == null ? Progress.NONE : new ProgressLine(System.err, total);
    }

    @Override
    public void bytesDone(long done) {
        long now = System.nanoTime();
        if (now - lastDraw < REDRAW_NANOS) {
            return;
        }
        synchronized (this) {
            lastDraw = now;
            double secs = Math.max((now - start) / 1e9, 1e-3);
            double rate = done / secs;
            String eta = total > done && rate > 0 ? String.format(Locale.ROOT, "  ETA %ds",
                    (long) ((total - done) / rate)) : "";
            err.print(String.format(Locale.ROOT, "\r  %s  %s/s%s    ", Units.bytes(done), Units.bytes((long) rate),
                    eta));
            err.flush();
            drawn = true;
        }
    }

    @Override
    public synchronized void close() {
        if (drawn) {
            err.print("\r\033[K");
            err.flush();
        }
    }

    static void end(Progress p) {
        if (p instanceof ProgressLine line) {
            line.close();
        }
    }
}
