package dev.firesafe.engine.walstream;

import java.time.Duration;

/** Exponential backoff: {@code first}, twice that, ... up to {@code max}; back to {@code first} after a reset. */
final class Backoff {

    private final Duration first;
    private final Duration max;
    private int failures;

    Backoff(Duration first, Duration max) {
        this.first = first;
        this.max = max;
    }

    /** The wait before the next attempt, counting one more failure. */
    Duration next() {
        Duration d = first.multipliedBy(1L << Math.min(failures, 20));
        failures++;
        return d.compareTo(max) > 0 ? max : d;
    }

    void reset() {
        failures = 0;
    }
}
