package dev.firesafe.cli;

import dev.firesafe.engine.drill.DrillConfig;
import dev.firesafe.host.health.HealthConfig;
import dev.firesafe.host.logging.LogConfig;
import dev.firesafe.host.notify.NotifyConfig;
import dev.firesafe.core.FiresafeConfig;
import dev.firesafe.postgres.PostgresConfig;
import dev.firesafe.store.github.GitHubConfig;
import dev.firesafe.store.s3.S3Config;
import dev.firesafe.host.trigger.TriggerConfig;
import dev.firesafe.host.http.HttpConfig;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.DotEnvConfigSourceProvider;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The configuration a one-shot command reads when it starts without Quarkus ({@link LeanLaunch}): the same sources,
 * in the same order, as Quarkus in the prod profile, so a setting means the same on both paths:
 * system properties (400), environment (300), {@code .env} in the working directory (295),
 * {@code config/application.properties} in the working directory (260), and the built-in
 * {@code application.properties} (250). Every {@code firesafe.*} mapping is registered, so an unknown
 * {@code firesafe.} key is refused here as Quarkus refuses it.
 */
final class LeanConfig {

    /** Every {@code @ConfigMapping} of Firesafe; LeanLaunchTest checks that none is missing. */
    static final Class<?>[] MAPPINGS = {FiresafeConfig.class, S3Config.class, GitHubConfig.class,
        PostgresConfig.class, NotifyConfig.class, DrillConfig.class, LogConfig.class, HealthConfig.class,
        TriggerConfig.class, HttpConfig.class, CliConfig.class, dev.firesafe.host.wal.WalConfig.class};

    private LeanConfig() {
    }

    static SmallRyeConfig load() {
        SmallRyeConfigBuilder builder = new SmallRyeConfigBuilder()
                .withProfile("prod")
                .addDefaultInterceptors()
                .addSystemSources()
                .withSources(new DotEnvConfigSourceProvider());
        URL builtIn = LeanConfig.class.getClassLoader().getResource("application.properties");
        try {
            if (builtIn != null) {
                builder.withSources(new PropertiesConfigSource(builtIn, 250));
            }
            Path local = Path.of("config", "application.properties");
            if (Files.isRegularFile(local)) {
                builder.withSources(new PropertiesConfigSource(local.toUri().toURL(), 260));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read application.properties: " + e.getMessage(), e);
        }
        return withMappings(builder).build();
    }

    /** The mappings, and durations written as Quarkus reads them ("10s", "6h" as well as ISO-8601). */
    static SmallRyeConfigBuilder withMappings(SmallRyeConfigBuilder builder) {
        builder.withConverter(Duration.class, 200, new DurationConverter());
        for (Class<?> mapping : MAPPINGS) {
            builder.withMapping(mapping);
        }
        return builder;
    }
}
