package dev.firesafe.trigger;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

    private static String reason(String json) {
        return assertThrows(CloudEvent.Malformed.class, () -> CloudEvent.structured(json)).getMessage();
    }
}
