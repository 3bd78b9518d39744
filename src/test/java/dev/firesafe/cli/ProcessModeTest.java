package dev.firesafe.cli;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Only {@code serve} may listen, fire timers or dial a broker; decided from the command line before start. */
class ProcessModeTest {

    @Test
    void oneShotCommandsDisableHttpAndKeepEveryChannelInMemory() {
        for (String command : new String[] {"backup", "run-function", "list", "--help"}) {
            ProcessMode mode = ProcessMode.of(command, "x");
            Map<String, String> p = mode.properties();
            assertFalse(mode.serve());
            assertEquals("false", p.get("quarkus.http.host-enabled"), command);
            assertEquals("cli", p.get("firesafe.triggers.mode"));
            assertEquals("smallrye-in-memory", p.get("mp.messaging.incoming.backup-requests.connector"));
            assertEquals("smallrye-in-memory", p.get("mp.messaging.outgoing.backup-events.connector"));
            assertEquals("smallrye-in-memory", p.get("mp.messaging.outgoing.backup-requests-dead-letter.connector"));
        }
        assertFalse(ProcessMode.of().serve());
    }

    @Test
    void serveStartsTheSchedulerAndReadsItsFunctionsFolder() {
        ProcessMode mode = ProcessMode.of("serve", "--functions", "/etc/firesafe/functions");
        assertTrue(mode.serve());
        assertEquals("serve", mode.properties().get("firesafe.triggers.mode"));
        assertEquals("forced", mode.properties().get("quarkus.scheduler.start-mode"));
        assertEquals("/etc/firesafe/functions", mode.properties().get("firesafe.functions-dir"));
        assertNull(mode.properties().get("quarkus.http.host-enabled"));
        assertEquals("fns", ProcessMode.of("serve", "--functions=fns").properties().get("firesafe.functions-dir"));
        assertNull(ProcessMode.of("serve").properties().get("firesafe.functions-dir"));
        // `backup --functions` is not serve: the option means nothing there
        assertFalse(ProcessMode.of("backup", "serve").serve());
    }
}
