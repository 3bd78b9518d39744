package dev.firesafe.host.trigger;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CloudEventTest {

    @Test
    void structuredModeReadsTheAttributesAndKeepsData() {
        CloudEvent e = CloudEvent.structured("{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/zfs\","
                + "\"type\":\"snapshot.completed\",\"subject\":\"web\",\"data\":{\"snapshot\":\"tank@1\"}}");
        assertEquals(new CloudEvent("1", "/zfs", "snapshot.completed", "web", e.data()), e);
        assertEquals("tank@1", e.data().get("snapshot").asText());
    }

    @Test
    void binaryModeReadsCeHeaders() {
        Map<String, String> headers = Map.of("ce-specversion", "1.0", "ce-id", "2", "ce-source", "/s",
                "ce-type", "t", "ce-subject", "db");
        CloudEvent e = CloudEvent.binary(headers::get, "not json is fine as data");
        assertEquals("db", e.subject());
        assertEquals("not json is fine as data", e.data().asText());
    }

    @Test
    void whatIsWrongIsSaid() {
        assertTrue(reason("[1,2]").contains("not a JSON object"));
        assertTrue(reason("{\"specversion\":\"0.3\"}").contains("specversion '0.3' is not 1.0"));
        assertTrue(reason("{\"id\":\"1\"}").contains("no specversion"));
        assertTrue(reason("{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"s\",\"type\":\"t\"}")
                .contains("'subject' is missing"));
        assertTrue(reason("{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"s\",\"type\":\"t\",\"subject\":{}}")
                .contains("'subject' is missing"));
        assertTrue(reason("{").startsWith("not JSON"));
    }

    /** CloudEvents 1.0 forbids control characters in strings; in a log line they would forge other lines. */
    @Test
    void anAttributeWithAControlCharacterIsRefusedWithoutEchoingIt() {
        String forged = "web\n10:00:00 INFO  [FunctionRunner] function vault: run FINISHED ok";
        String r = reason("{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"s\",\"type\":\"t\",\"subject\":"
                + CloudEvent.json(forged) + "}");
        assertTrue(r.contains("attribute 'subject' holds a control character"), r);
        assertFalse(r.contains("\n") || r.contains("FINISHED"), r);
        Map<String, String> headers = Map.of("ce-specversion", "1.0", "ce-id", "2\r\nx", "ce-source", "/s",
                "ce-type", "t", "ce-subject", "db");
        String binary = assertThrows(CloudEvent.Malformed.class, () -> CloudEvent.binary(headers::get, null))
                .getMessage();
        assertTrue(binary.contains("attribute 'id' holds a control character"), binary);
    }

    @Test
    void longAttributesAreShortenedWhereTheyAreShown() {
        String huge = "x".repeat(100_000);
        CloudEvent e = new CloudEvent(huge, huge, huge, huge, null);
        assertTrue(e.describe().length() < 1000, "describe: " + e.describe().length());
        String r = reason("{\"specversion\":\"" + huge + "\"}");
        assertTrue(r.length() < 1000 && r.contains("is not 1.0"), r.length() + "");
    }

    private static String reason(String json) {
        return assertThrows(CloudEvent.Malformed.class, () -> CloudEvent.structured(json)).getMessage();
    }
}
