package dev.firesafe.host.health;

import java.time.Duration;

/** {@code firesafe.health.*} as a test sets it, without a config source. */
record FixedHealthConfig(double staleFactor, Duration defaultInterval, Duration cacheTtl, Duration timeout)
        implements HealthConfig {

    /** The defaults, except no cache: every check lists again. */
    static FixedHealthConfig uncached(Duration timeout) {
        return new FixedHealthConfig(2, Duration.ofHours(6), Duration.ZERO, timeout);
    }
}
