package dev.firesafe.plan;

import java.time.Duration;
import java.util.Map;

/**
 * A command whose stdout is backed up as the file {@code name} (say {@code redis-cli --rdb -} as
 * {@code redis/dump.rdb}). Run with {@code /bin/sh -c}; {@code env} is added to its environment and is where
 * secrets belong: its values are never printed.
 */
public record CommandSource(String name, String command, Duration timeout, Map<String, String> env) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofHours(1);

    public CommandSource {
        timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
        env = env == null ? Map.of() : Map.copyOf(env);
    }
}
