package dev.firesafe.host.logging;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * {@code firesafe.log.*}: {@code firesafe.log.json=true} (env {@code FIRESAFE_LOG_JSON}) switches the console log to
 * one JSON object per line; application.properties passes it to {@code quarkus.log.console.json.enabled}.
 * Declared here so the setting is a known, documented key.
 */
@ConfigMapping(prefix = "firesafe.log")
public interface LogConfig {
    @WithDefault("false")
    boolean json();
}
