package dev.firesafe.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The message-trigger checks every broker must pass (MessagingIT for AMQP 1.0, KafkaIT), whatever carries the
 * messages: {@code send} puts CloudEvents on the requests channel, the queues receive the events and dead letters.
 * Functions: {@code web} (message trigger), {@code web-http-only} (no message trigger), {@code broken} (missing
 * source), all writing to {@code target}.
 */
public final class BrokerScenario {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Consumer<List<String>> send;
    private final BlockingQueue<String> completions;
    private final BlockingQueue<String> rejected;
    private final Path target;
    private final Duration wait;

    public BrokerScenario(Consumer<List<String>> send, BlockingQueue<String> completions,
                          BlockingQueue<String> rejected, Path target, Duration wait) {
        this.send = send;
        this.completions = completions;
        this.rejected = rejected;
        this.target = target;
        this.wait = wait;
    }

    /** The scenario's three functions, in {@code functions}; their data lives under {@code tmp}. */
    public static void writeFunctions(Path functions, Path tmp, Path target) throws IOException {
        Path data = Files.createDirectories(tmp.resolve("data"));
        Files.writeString(data.resolve("a.txt"), "a");
        Functions.write(functions, "web", data, target, "  - type: message\n");
        Functions.write(functions, "web-http-only", data, target, "  - type: http\n");
        Functions.write(functions, "broken", tmp.resolve("no-such-folder"), target, "  - type: message\n");
    }

    /** A CloudEvent as a ZFS snapshot hook would send it. */
    public static String event(String id, String subject) {
        return "{\"specversion\":\"1.0\",\"id\":\"" + id + "\",\"source\":\"/zfs/tank\","
                + "\"type\":\"snapshot.completed\",\"subject\":\"" + subject + "\",\"data\":{\"snapshot\":\"s\"}}";
    }

    /** The next completion event is the {@code backup.completed} of {@code web}, naming a backup on the target. */
    public JsonNode expectWebCompleted() throws IOException {
        JsonNode done = JSON.readTree(Amqp.next(completions, wait, "backup.completed event"));
        assertEquals("backup.completed", done.get("type").asText(), done.toString());
        assertEquals("1.0", done.get("specversion").asText());
        assertEquals("web", done.get("subject").asText());
        JsonNode data = done.get("data");
        assertEquals("web", data.get("plan").asText());
        assertEquals("message", data.get("trigger").asText());
        assertTrue(data.get("bytes").asLong() > 0, done.toString());
        assertTrue(data.get("durationMs").asLong() >= 0, done.toString());
        assertEquals(target.toUri().toString().replaceAll("/$", ""),
                data.get("targets").get(0).get("target").asText().replaceAll("/$", ""));
        assertTrue(Files.exists(target.resolve("web/" + data.get("backupId").asText() + ".firesafe")));
        return done;
    }

    /**
     * Three bad requests go to the dead-letter channel with their reason, nothing is backed up for them, and the
     * consumer survives: the next good event still runs (the second backup of {@code web}).
     */
    public void expectMalformedDeadLetteredAndConsumerAlive() throws IOException {
        send.accept(List.of("this is not json", event("e2", "no-such-function"), event("e3", "web-http-only")));
        JsonNode first = JSON.readTree(Amqp.next(rejected, wait, "dead letter"));
        JsonNode second = JSON.readTree(Amqp.next(rejected, wait, "dead letter"));
        JsonNode third = JSON.readTree(Amqp.next(rejected, wait, "dead letter"));
        assertTrue(first.get("reason").asText().startsWith("not JSON"), first.toString());
        assertEquals("this is not json", first.get("payload").asText());
        assertTrue(second.get("reason").asText().contains("'no-such-function' names no loaded function"),
                second.toString());
        assertTrue(third.get("reason").asText().contains("function 'web-http-only' has no message trigger"),
                third.toString());
        assertEquals(0, Functions.backups(target, "web-http-only"));
        send.accept(List.of(event("e4", "web")));
        assertEquals("backup.completed", JSON.readTree(Amqp.next(completions, wait, "second completion"))
                .get("type").asText());
        assertEquals(2, Functions.backups(target, "web"));
    }

    /** A failed run is published as {@code backup.failed} with its exit code and error. */
    public void expectBrokenFailed() throws IOException {
        send.accept(List.of(event("e5", "broken")));
        JsonNode failed = JSON.readTree(Amqp.next(completions, wait, "backup.failed event"));
        assertEquals("backup.failed", failed.get("type").asText(), failed.toString());
        assertEquals(6, failed.get("data").get("exitCode").asInt(), failed.toString());
        assertTrue(failed.get("data").get("error").asText().contains("no-such-folder"), failed.toString());
    }
}
