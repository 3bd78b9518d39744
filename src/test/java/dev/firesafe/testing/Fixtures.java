package dev.firesafe.testing;

import dev.firesafe.engine.backup.BackupService;
import dev.firesafe.crypto.KeySource;
import dev.firesafe.crypto.MasterKey;
import dev.firesafe.core.FiresafeConfig;
import dev.firesafe.engine.restore.RestoreService;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Real services wired by hand, with real config mapping (defaults and validation as in production), so tests run
 * in milliseconds without starting Quarkus.
 */
public final class Fixtures {
    private Fixtures() {
    }

    public static FiresafeConfig config(Map<String, String> values) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withMapping(FiresafeConfig.class)
                .withDefaultValues(Map.of("user.home", System.getProperty("user.home")))
                .withSources(new io.smallrye.config.PropertiesConfigSource(values, "test", 500))
                .build();
        return config.getConfigMapping(FiresafeConfig.class);
    }

    /** Config whose master key is {@code key} and whose default key file is inside {@code scratch}. */
    public static FiresafeConfig configWithKey(MasterKey key, Path scratch) {
        Map<String, String> values = new HashMap<>();
        if (key != null) {
            values.put("firesafe.master-key", key.toEscrowText());
        }
        values.put("firesafe.default-key-file", scratch.resolve("no-such-key-file").toString());
        values.put("firesafe.target", scratch.resolve("default-target").toString());
        return config(values);
    }

    /**
     * Overrides for a {@code @QuarkusTest} profile whose application keeps everything under {@code root}: functions
     * in {@code root/functions}, master key {@code key}, default target and drill scratch folders there too.
     */
    public static Map<String, String> appConfig(MasterKey key, Path root) {
        Map<String, String> config = new HashMap<>();
        config.put("firesafe.functions-dir", root.resolve("functions").toString());
        config.put("firesafe.master-key", key.toEscrowText());
        config.put("firesafe.default-key-file", root.resolve("no-key-file").toString());
        config.put("firesafe.target", root.resolve("default-target").toString());
        config.put("firesafe.drill.scratch-dir", root.resolve("scratch").toString());
        return config;
    }

    public static BackupService backupService(MasterKey key, Path scratch) {
        FiresafeConfig config = configWithKey(key, scratch);
        return new BackupService(config, new KeySource(config));
    }

    public static RestoreService restoreService(MasterKey key, Path scratch) {
        FiresafeConfig config = configWithKey(key, scratch);
        return new RestoreService(new KeySource(config), config);
    }
}
