package dev.firesafe.engine.drill;

import io.smallrye.config.ConfigMapping;

import java.util.Optional;

/** {@code firesafe.drill.*} (README, "Restore drills"). */
@ConfigMapping(prefix = "firesafe.drill")
public interface DrillConfig {

    /**
     * Where drills make their scratch folders (default: java.io.tmpdir). Restored plaintext passes through it,
     * so it should not be a shared or backed-up folder; it needs room for the largest backup.
     */
    Optional<String> scratchDir();
}
