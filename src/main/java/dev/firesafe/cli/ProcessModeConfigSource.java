package dev.firesafe.cli;

import io.quarkus.runtime.annotations.StaticInitSafe;
import org.eclipse.microprofile.config.spi.ConfigSource;

import java.util.Map;
import java.util.Set;

/**
 * The process mode's properties ({@link ProcessMode}) as a configuration source of Firesafe's own, so the mode
 * reaches Quarkus without JVM-global system properties. {@link Main} holds the mode here once, after picocli parsed
 * the command line and before Quarkus starts; Quarkus finds this source through
 * {@code META-INF/services/org.eclipse.microprofile.config.spi.ConfigSource}.
 *
 * <p>Ordinal 401, one above system properties (400): the mode outranks every user setting, the environment,
 * {@code .env} and {@code application.properties}, and also a {@code -D} of the same name, as the system property
 * that {@code System.setProperty} replaced did before. (At 400 a tie with the system properties would be broken by
 * the order Quarkus adds the sources in.)
 *
 * <p>It reads the held mode at every lookup, never at construction: Quarkus may make this source before the mode is
 * held (static init; in a native image, at build time, when nothing is held). With nothing held it answers
 * nothing, as for {@code @QuarkusTest}s, which set the mode in their own profiles. {@link StaticInitSafe}: it
 * needs no service, and the system properties it stands in for were visible at static init too.
 */
@StaticInitSafe
public final class ProcessModeConfigSource implements ConfigSource {

    static final int ORDINAL = 401;

    private static volatile Map<String, String> held = Map.of();

    /** Makes {@code properties} what this source answers, for the rest of the process (see {@link Main}). */
    static void hold(Map<String, String> properties) {
        held = Map.copyOf(properties);
    }

    /** What is held now (tests). */
    static Map<String, String> held() {
        return held;
    }

    @Override
    public Set<String> getPropertyNames() {
        return held.keySet();
    }

    @Override
    public Map<String, String> getProperties() {
        return held;
    }

    @Override
    public String getValue(String propertyName) {
        return held.get(propertyName);
    }

    @Override
    public int getOrdinal() {
        return ORDINAL;
    }

    @Override
    public String getName() {
        return "FiresafeProcessMode";
    }
}
