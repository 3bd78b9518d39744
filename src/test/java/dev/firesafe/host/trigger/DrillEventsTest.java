package dev.firesafe.host.trigger;

import dev.firesafe.host.functions.FunctionCatalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.firesafe.crypto.MasterKey;
import dev.firesafe.plan.FunctionDefinition;
import dev.firesafe.testing.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.reactive.messaging.memory.InMemoryConnector;
import io.smallrye.reactive.messaging.memory.InMemorySink;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #5 meets issue #7 in the function host: a function's drill trigger is registered (weekly by default),
 * a drill never overlaps a backup of the function (skipped and counted in {@code /q/metrics}), and each drill is
 * published on {@code backup-events} as {@code drill.failed} or {@code drill.completed}, read here from the
 * in-memory connector the channel uses by default.
 */
@QuarkusTest
@TestProfile(DrillEventsTest.Setup.class)
class DrillEventsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final MasterKey KEY = MasterKey.generate(65536);
    private static final Path ROOT;

    static {
        try {
            ROOT = Files.createTempDirectory("firesafe-drill-events").toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Serve mode with a function "weekly" (a drill trigger with the default schedule, no backup yet) and a function
     * "often" whose drill trigger fires every second.
     */
    public static class Setup implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                Files.createDirectories(ROOT.resolve("data"));
                Files.writeString(ROOT.resolve("data/a.txt"), "alpha".repeat(100));
                dev.firesafe.testing.Functions.write(ROOT.resolve("functions"), "weekly", ROOT.resolve("data"),
                        ROOT.resolve("target"), "  - type: drill\n  - type: http\n");
                dev.firesafe.testing.Functions.write(ROOT.resolve("functions"), "often", ROOT.resolve("data"),
                        ROOT.resolve("target"), "  - type: drill\n    every: 1s\n");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Map<String, String> config = Fixtures.appConfig(KEY, ROOT);
            config.put("firesafe.triggers.mode", "serve"); // as dev.firesafe.cli.ProcessMode sets them for serve
            config.put("quarkus.scheduler.start-mode", "forced");
            return config;
        }
    }

    @Inject
    @org.eclipse.microprofile.reactive.messaging.spi.Connector("smallrye-in-memory")
    InMemoryConnector connector;

    @Inject
    FunctionHost host;

    @Inject
    FunctionCatalog catalog;

    @Inject
    FunctionStatus status;

    @Inject
    FunctionRunner runner;

    @Inject
    FunctionDrills drills;

    @Test
    void drillsAreScheduledPublishedAndNeverOverlapABackup() throws Exception {
        host.started().toCompletableFuture().get(60, TimeUnit.SECONDS);
        InMemorySink<String> events = connector.sink("backup-events");
        FunctionStatus.View view = status.of("weekly").orElseThrow();
        assertEquals(List.of("drill every 7d", "http POST /functions/NAME"), view.triggers());
        assertNotNull(view.nextDrill());
        assertTrue(view.nextDrill().isAfter(Instant.now().plus(Duration.ofDays(6))), view.toString());
        assertEquals(null, view.nextFire(), "a drill is not a backup timer");
        FunctionDefinition weekly = catalog.require("weekly");

        // no backup yet: the drill fails, loudly
        drills.request(weekly).orElseThrow().get(120, TimeUnit.SECONDS);
        JsonNode failed = await(events, "drill.failed", "weekly");
        assertEquals("weekly", failed.get("subject").asText());
        JsonNode data = failed.get("data");
        assertEquals("weekly", data.get("plan").asText());
        assertFalse(data.get("targets").get(0).get("ok").asBoolean(), data.toString());
        assertTrue(data.get("exitCode").asInt() != 0, data.toString());
        assertFalse(data.get("error").isNull(), data.toString());

        // a drill asked while a backup of the function is queued or going is skipped, never run beside it
        FunctionRunner.Run backup = runner.request("weekly", "http", Policy.COALESCE).orElseThrow();
        assertTrue(drills.request(weekly).isEmpty());
        RunState done = backup.done().get(120, TimeUnit.SECONDS);
        assertEquals(RunState.Status.SUCCEEDED, done.status(), done.toString());
        assertEquals(1, status.of("weekly").orElseThrow().skipped());

        drills.request(weekly).orElseThrow().get(120, TimeUnit.SECONDS);
        JsonNode completed = await(events, "drill.completed", "weekly").get("data");
        JsonNode target = completed.get("targets").get(0);
        assertTrue(target.get("ok").asBoolean(), completed.toString());
        assertEquals(done.backupId(), target.get("backupId").asText());
        assertEquals(1, target.get("files").asLong());
        assertTrue(completed.get("bytes").asLong() > 0, completed.toString());
        assertTrue(completed.get("restoreMs").asLong() >= 0, completed.toString());
        assertEquals(0, completed.get("exitCode").asInt());
        assertTrue(completed.get("error").isNull(), completed.toString());
        // the scheduler fires drill triggers by themselves: "often" has no backup, so its drills fail
        JsonNode scheduled = await(events, "drill.failed", "often").get("data");
        assertTrue(scheduled.get("error").asText().contains("no backups of plan 'often'"), scheduled.toString());
        String all = events.received().stream().map(Message::getPayload).reduce("", String::concat);
        assertFalse(all.contains(KEY.toEscrowText()), "no key material in events");

        String metrics = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.contains("firesafe_trigger_skipped_total{function=\"weekly\"} 1.0"), metrics);
        assertTrue(metrics.contains("firesafe_trigger_coalesced_total{function=\"weekly\"} 0.0"), metrics);
    }

    /** The first event of {@code type} about {@code subject} on the sink, waiting for it up to 30 s. */
    private static JsonNode await(InMemorySink<String> sink, String type, String subject) throws IOException {
        Instant deadline = Instant.now().plusSeconds(30);
        while (true) {
            for (Message<String> m : List.copyOf(sink.received())) {
                JsonNode event = JSON.readTree(m.getPayload());
                if (event.get("type").asText().equals(type) && event.get("subject").asText().equals(subject)) {
                    return event;
                }
            }
            assertTrue(Instant.now().isBefore(deadline), "no " + type + " event of " + subject + ": "
                    + sink.received().stream().map(Message::getPayload).toList());
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }
}
