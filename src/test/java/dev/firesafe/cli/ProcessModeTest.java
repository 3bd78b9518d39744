package dev.firesafe.cli;

import dev.firesafe.testing.Fixtures;
import org.junit.jupiter.api.Test;

import java.util.Map;

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
