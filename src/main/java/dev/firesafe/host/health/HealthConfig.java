package dev.firesafe.host.health;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** {@code firesafe.health.*}: how /q/health judges backups (README, "Health"). */
@ConfigMapping(prefix = "firesafe.health")
public interface HealthConfig {

    /** A function is stale when its newest backup is older than this many schedule intervals. */
    @WithDefault("2")
    double staleFactor();

    /** Interval of functions without a timer trigger (a cron timer counts with the gap between its fires). */
    @WithDefault("6h")
    Duration defaultInterval();

    /** How long a target listing is reused, so probes and scrapes do not hammer S3 or GitHub. */
    @WithDefault("60s")
    Duration cacheTtl();

    /** How long a target may take to list before it counts as unreachable. */
    @WithDefault("5s")
    Duration timeout();
}
