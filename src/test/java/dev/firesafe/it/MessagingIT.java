package dev.firesafe.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.firesafe.crypto.MasterKey;
import dev.firesafe.testing.Amqp;
import dev.firesafe.testing.BrokerScenario;
import dev.firesafe.testing.Cli;
import dev.firesafe.testing.Functions;
import dev.firesafe.testing.Host;
import dev.firesafe.testing.StartedHosts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;

import static dev.firesafe.testing.BrokerScenario.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The message trigger against a real AMQP 1.0 broker on loopback (RabbitMQ with rabbitmq_amqp1_0; see
 * {@link Amqp}: skipped with the reason printed when no broker runs here and this is not CI): an event runs a
 * backup and its completion event appears on the broker; a burst of 1,000 events gives at most two runs; a
 * malformed event goes to the dead-letter queue; a host killed mid-backup gets the event again after restart.
 */
class MessagingIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path tmp;

    private Amqp amqp;
    private Cli cli;
    private MasterKey key;
    private Path functions;
    private Path target;
    private Path control;
    private String requests;
    private String events;
    private String deadLetters;
    private final StartedHosts hosts = new StartedHosts();

    @BeforeEach
    void setUp() throws IOException {
        amqp = Amqp.connectOrSkip();
        key = MasterKey.generate(65536);
        functions = tmp.resolve("fns");
        target = tmp.resolve("backups");
        control = hosts.control(tmp.resolve("held"));
        requests = amqp.newQueue("requests");
        events = amqp.newQueue("events");
        deadLetters = amqp.newQueue("dead-letters");
        cli = new Cli(tmp).env("FIRESAFE_MASTER_KEY", key.toEscrowText());
        Amqp.connectorOptions(requests, events, deadLetters).forEach(cli::jvm);
    }

    @AfterEach
    void tearDown() throws Exception {
        hosts.stopAll(); // releases a held command a killed host left behind, then stops every host
        if (amqp != null) {
            amqp.close();
        }
    }

    private Host serve() throws IOException {
        return hosts.start(cli, tmp, "--functions", functions.toString());
    }


    private void awaitIdleAfterSuccess(Host host, String function) {
        host.awaitCondition(() -> {
            JsonNode f = host.function(function);
            return f.get("running").isNull() && f.get("queued").isNull() && !f.get("lastRun").isNull()
                    && f.get("lastRun").get("status").asText().equals("SUCCEEDED");
        }, WAIT, function + " idle after a successful run");
    }

    private void awaitQueueEmpty(Host host, String address) {
        if (Amqp.messagesIn(address) < 0) {
            System.out.println("rabbitmqctl not available: not checking that " + address + " was drained");
            return;
        }
        host.awaitCondition(() -> Amqp.messagesIn(address) == 0, WAIT, "every message acknowledged");
    }

    @Test
    void anEventRunsABackupAndItsCompletionIsPublishedMalformedOnesAreDeadLettered() throws Exception {
        BrokerScenario.writeFunctions(functions, tmp, target);
        BlockingQueue<String> completions = amqp.receive(events);
        BlockingQueue<String> rejected = amqp.receive(deadLetters);
        Host host = serve();

        BrokerScenario scenario = new BrokerScenario(bodies -> amqp.send(requests, bodies), completions, rejected,
                target, WAIT);
        amqp.send(requests, List.of(event("e1", "web")));
        scenario.expectWebCompleted();
        scenario.expectMalformedDeadLetteredAndConsumerAlive();
        // a failed run's message is acknowledged too (recorded, not retried)
        scenario.expectBrokenFailed();
        assertEquals("FAILED", host.function("broken").get("lastRun").get("status").asText());
        awaitQueueEmpty(host, requests);
    }

    @Test
    void aBurstOfAThousandEventsGivesAtMostTwoRuns() throws Exception {
        Functions.writeHeld(functions, "burst", control, target, "  - type: message\n");
        Host host = serve();

        amqp.send(requests, List.of(event("b0", "burst")));
        host.awaitCondition(() -> Functions.started(control) == 1, WAIT, "the first run");
        List<String> burst = new ArrayList<>();
        for (int i = 1; i < 1000; i++) {
            burst.add(event("b" + i, "burst"));
        }
        amqp.send(requests, burst);
        // 1,000 requests: one run going, one queued, 998 joined the queued one
        host.awaitCondition(() -> host.function("burst").get("coalesced").asLong() == 998, WAIT,
                "all 1,000 events to reach the runner");
        Functions.release(control);
        awaitIdleAfterSuccess(host, "burst");

        assertEquals(2, Functions.started(control));
        assertEquals(2, Functions.backups(target, "burst"));
        awaitQueueEmpty(host, requests);
    }

    @Test
    void aHostKilledMidBackupGetsTheEventAgainAndFinishesIt() throws Exception {
        Functions.writeHeld(functions, "crash", control, target, "  - type: message\n");
        BlockingQueue<String> completions = amqp.receive(events);
        Host first = serve();
        amqp.send(requests, List.of(event("k1", "crash")));
        first.awaitCondition(() -> Functions.started(control) == 1, WAIT, "the run to start");
        first.kill();
        assertEquals(0, Functions.backups(target, "crash"));

        Host second = serve();
        second.awaitCondition(() -> Functions.started(control) == 2, WAIT, "the redelivered event's run");
        Functions.release(control);
        awaitIdleAfterSuccess(second, "crash");
        assertEquals(1, Functions.backups(target, "crash"));
        JsonNode done = JSON.readTree(Amqp.next(completions, WAIT, "backup.completed after restart"));
        assertEquals("backup.completed", done.get("type").asText());
        assertEquals(Collections.emptyList(), List.copyOf(completions), "one completion only");
        awaitQueueEmpty(second, requests);
    }
}
