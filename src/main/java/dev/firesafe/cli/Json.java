package dev.firesafe.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.List;
import java.util.Map;

/** One JSON object per line on stdout: what {@code --json} promises scripts. */
final class Json {
    // times as ISO-8601 text (run states carry Instants), as the HTTP endpoints write them
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new com.fasterxml.jackson.datatype.jsr310.JavaTimeModule())
            .disable(com.fasterxml.jackson.databind.SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private Json() {
    }

    /**
     * Loads Jackson on a daemon thread while a long command works, so that printing its result at the end does not
     * wait ~0.3 s for it. Only --json output uses Jackson on the command line.
     */
    static void prepareInBackground() {
        Thread t = new Thread(() -> of(Map.of("warm", List.of(1L))), "firesafe-json");
        t.setDaemon(true);
        t.start();
    }

    static String of(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
