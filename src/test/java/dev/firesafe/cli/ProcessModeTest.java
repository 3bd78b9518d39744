package dev.firesafe.cli;

import dev.firesafe.testing.Fixtures;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.eclipse.microprofile.config.spi.ConfigSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.ServiceLoader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Only {@code serve} may listen, fire timers or dial a broker; decided from the command line before start. */
class ProcessModeTest {

    /** The mode of a command line as picocli parses it in {@link LeanLaunch}. */
    private static ProcessMode mode(String... args) {
        return ProcessMode.of(LeanLaunch.commandLine(Fixtures.services(Map.of())).parseArgs(args));
    }

    @AfterEach
    void holdNothing() {
        ProcessModeConfigSource.hold(Map.of());
    }

    /**
     * Configuration as Quarkus builds it at run time: the sources found through the ServiceLoader (Firesafe's mode
     * among them), a user's {@code -D} setting (400), the environment (300), application.properties (250).
     */
    private static SmallRyeConfig quarkusLike() {
        return new SmallRyeConfigBuilder().addDiscoveredSources()
                .withSources(new PropertiesConfigSource(Map.of("firesafe.triggers.mode", "serve",
                        "firesafe.functions-dir", "from-a-system-property"), "a -D setting", 400))
                .withSources(new PropertiesConfigSource(Map.of("quarkus.http.host-enabled", "true",
                        "mp.messaging.incoming.backup-requests.connector", "smallrye-kafka"), "environment", 300))
                .withSources(new PropertiesConfigSource(Map.of("quarkus.scheduler.start-mode", "normal",
                        "firesafe.functions-dir", "functions"), "application.properties", 250))
                .build();
    }

    /** The mode reaches Quarkus through Firesafe's own configuration source, above every user setting. */
    @Test
    void theModeIsAConfigSourceThatOutranksEveryUserSettingAndSetsNoSystemProperty() {
        assertTrue(ServiceLoader.load(ConfigSource.class).stream()
                .anyMatch(p -> p.type() == ProcessModeConfigSource.class), "registered for the ServiceLoader");
        // made before the mode is held (static init; a native image's build): it reads the mode at each lookup
        SmallRyeConfig config = quarkusLike();
        assertEquals("serve", config.getRawValue("firesafe.triggers.mode"), "nothing held: it answers nothing");

        ProcessMode oneShot = mode("backup");
        Map<Object, Object> before = Map.copyOf(System.getProperties());
        oneShot.hold();
        assertEquals(before, Map.copyOf(System.getProperties()), "no system property set or changed");
        assertEquals("cli", config.getRawValue("firesafe.triggers.mode"));
        assertEquals("false", config.getRawValue("quarkus.http.host-enabled"));
        for (String channel : ProcessMode.CHANNELS) {
            assertEquals("smallrye-in-memory", config.getRawValue("mp.messaging." + channel + ".connector"));
        }
        for (String name : oneShot.properties().keySet()) {
            assertEquals(oneShot.properties().get(name), quarkusLike().getRawValue(name), name);
        }

        ProcessMode serve = mode("serve", "--functions", "/etc/firesafe/functions");
        serve.hold();
        assertEquals(before, Map.copyOf(System.getProperties()), "no system property set or changed");
        SmallRyeConfig served = quarkusLike();
        assertEquals("serve", served.getRawValue("firesafe.triggers.mode"));
        assertEquals("forced", served.getRawValue("quarkus.scheduler.start-mode"));
        assertEquals("INFO", served.getRawValue("quarkus.log.category.\"io.quarkus\".level"));
        assertEquals("/etc/firesafe/functions", served.getRawValue("firesafe.functions-dir"), "over a -D setting");
        assertEquals("true", served.getRawValue("quarkus.http.host-enabled"), "serve leaves HTTP to the user");
        assertTrue(java.util.stream.StreamSupport.stream(served.getPropertyNames().spliterator(), false)
                .anyMatch(n -> n.startsWith("quarkus.log.category.")), "its names are listed (maps are read by name)");
    }

    @Test
    void oneShotCommandsDisableHttpAndKeepEveryChannelInMemory() {
        for (String[] command : new String[][] {{"backup"}, {"run-function", "x"}, {"list"}, {"--help"}}) {
            ProcessMode mode = mode(command);
            Map<String, String> p = mode.properties();
            assertFalse(mode.serve());
            assertEquals("false", p.get("quarkus.http.host-enabled"), String.join(" ", command));
            assertEquals("cli", p.get("firesafe.triggers.mode"));
            assertEquals("smallrye-in-memory", p.get("mp.messaging.incoming.backup-requests.connector"));
            assertEquals("smallrye-in-memory", p.get("mp.messaging.outgoing.backup-events.connector"));
            assertEquals("smallrye-in-memory", p.get("mp.messaging.outgoing.backup-requests-dead-letter.connector"));
        }
        assertFalse(mode().serve());
    }

    @Test
    void serveStartsTheSchedulerAndReadsItsFunctionsFolder() {
        ProcessMode mode = mode("serve", "--functions", "/etc/firesafe/functions");
        assertTrue(mode.serve());
        assertEquals("serve", mode.properties().get("firesafe.triggers.mode"));
        assertEquals("forced", mode.properties().get("quarkus.scheduler.start-mode"));
        assertEquals("/etc/firesafe/functions", mode.properties().get("firesafe.functions-dir"));
        assertNull(mode.properties().get("quarkus.http.host-enabled"));
        assertEquals("fns", mode("serve", "--functions=fns").properties().get("firesafe.functions-dir"));
        assertNull(mode("serve").properties().get("firesafe.functions-dir"));
        // a value that reads "serve" is not the command
        assertFalse(mode("backup", "--source", "serve").serve());
        assertTrue(ProcessMode.unparsed("serve").serve());
    }
}
