package dev.firesafe.host.trigger;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** Settings of the function host ({@code serve}); README, "Function host and triggers". */
@ConfigMapping(prefix = "firesafe.triggers")
public interface TriggerConfig {

    /**
     * How long a queued run waits for more requests before it starts. Requests inside the window join the run,
     * so a burst of events spread over a few seconds gives one backup. 0 starts at once.
     */
    @WithDefault("0s")
    Duration debounce();

    /** How long after start-up a catch-up run starts when the function's startup trigger names no delay. */
    @WithDefault("1s")
    Duration catchUpDelay();

    /**
     * {@code serve} or {@code cli}: set by the process itself from its command line (dev.firesafe.cli.Main), in a
     * configuration source that outranks any user setting (dev.firesafe.cli.ProcessModeConfigSource); only
     * {@code serve} starts triggers.
     */
    @WithDefault("cli")
    String mode();
}
