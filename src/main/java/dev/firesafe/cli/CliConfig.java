package dev.firesafe.cli;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** {@code firesafe.cli.*}: how one-shot commands start (README, "Fast start"). */
@ConfigMapping(prefix = "firesafe.cli")
public interface CliConfig {

    /**
     * One-shot commands start without the Quarkus runtime where they can ({@link LeanLaunch}); {@code false}
     * (env {@code FIRESAFE_CLI_FAST_START=false}) boots Quarkus for every command, as {@code serve} does.
     */
    @WithDefault("true")
    boolean fastStart();
}
