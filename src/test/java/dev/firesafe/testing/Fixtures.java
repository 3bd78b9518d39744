package dev.firesafe.testing;

import dev.firesafe.engine.backup.BackupService;
import dev.firesafe.crypto.MasterKey;
import dev.firesafe.core.FiresafeConfig;
import dev.firesafe.engine.restore.RestoreService;
import dev.firesafe.engine.retention.PruneService;
import dev.firesafe.app.Services;
import dev.firesafe.engine.drill.DrillConfig;
import dev.firesafe.host.notify.NotifyConfig;
import dev.firesafe.host.trigger.TriggerConfig;
import dev.firesafe.postgres.PostgresConfig;
import dev.firesafe.store.github.GitHubConfig;
import dev.firesafe.store.s3.S3Config;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.time.Clock;

/**
 * Real services wired by hand, with real config mapping (defaults and validation as in production), so tests run
 * in milliseconds without starting Quarkus.
 */
public final class Fixtures {

    private static final Path TEST_CACHE;
    /** The tests' ${user.home}: never the developer's own home, where a content key would be made. */
    private static final Path TEST_HOME;

    static {
        try {
            TEST_CACHE = java.nio.file.Files.createTempDirectory("firesafe-test-cache");
            TEST_HOME = java.nio.file.Files.createTempDirectory("firesafe-test-home");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private Fixtures() {
    }

    /** Every mapping the services read, with {@code values} on top of their defaults. */
    public static SmallRyeConfig smallRye(Map<String, String> values) {
        return new SmallRyeConfigBuilder()
                .withMapping(FiresafeConfig.class)
                .withMapping(S3Config.class)
                .withMapping(GitHubConfig.class)
                .withMapping(PostgresConfig.class)
                .withMapping(NotifyConfig.class)
                .withMapping(DrillConfig.class)
                .withMapping(TriggerConfig.class)
                .withConverter(java.time.Duration.class, 200, new io.quarkus.runtime.configuration.DurationConverter())
                // expands the defaults' ${user.home}; without it a literal '${user.home}' folder holding a content
                // key was made in the working folder (the project's root; it was once committed)
                .addDefaultInterceptors()
                .withDefaultValues(Map.of("user.home", TEST_HOME.toString(),
                        // never the developer's own cache: each test process gets one of its own
                        "firesafe.cache-dir", TEST_CACHE.toString()))
                .withSources(new io.smallrye.config.PropertiesConfigSource(values, "test", 500))
                .build();
    }

    public static FiresafeConfig config(Map<String, String> values) {
        return smallRye(values).getConfigMapping(FiresafeConfig.class);
    }

    /** The services of a process configured with {@code values}. */
    public static Services services(Map<String, String> values) {
        return services(values, System::getenv);
    }

    /** The same, with {@code env} standing in for the process environment (credentials, tokens). */
    public static Services services(Map<String, String> values, UnaryOperator<String> env) {
        return new Services(Services.Settings.of(smallRye(values)), env, Clock.systemUTC(),
                Services.Observers.NONE);
    }

    /** The services of a process whose {@code firesafe.*} settings are {@code config}, all others defaults. */
    public static Services services(FiresafeConfig config) {
        return services(config, Clock.systemUTC());
    }

    public static Services services(FiresafeConfig config, Clock clock) {
        Services.Settings defaults = Services.Settings.of(smallRye(Map.of()));
        return new Services(new Services.Settings(config, defaults.s3(), defaults.github(), defaults.postgres(),
                defaults.notifications(), defaults.drill(), defaults.triggers(), Optional.empty()),
                System::getenv, clock, Services.Observers.NONE);
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
        return services(configWithKey(key, scratch)).backups();
    }

    public static RestoreService restoreService(MasterKey key, Path scratch) {
        return services(configWithKey(key, scratch)).restores();
    }

    /**
     * Retention as a host without the reading key runs it (the default grace, compression level 3): for stores
     * that hold only format-1 backups, or where nothing is to be read.
     */
    public static PruneService retentionWithoutKey() {
        return new PruneService(Optional::empty, PruneService.DEFAULT_GRACE, Clock.systemUTC(), 3);
    }
}
