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
import dev.firesafe.testing.Kafka;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;

import static dev.firesafe.testing.BrokerScenario.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The message trigger on the Kafka connector of the default build, against a real Kafka broker (KRaft) that the
 * test starts in its own JVM ({@link Kafka}; nothing to install, so never skipped), with the packaged {@code serve}
 * configured as README says a user can: broker and connectors in the environment, topics as system properties.
 * An event runs a backup and its {@code backup.completed} appears on the events topic; malformed events go to the
 * dead-letter topic and the consumer goes on; the offset is committed only once the run finished, so a host
 * killed mid-backup gets the event again after restart. And with no channel configured the Kafka connector in
 * the build dials nothing: the zero-config host is healthy.
 */
class KafkaIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(90);

    private static Kafka kafka;

    @TempDir
    Path tmp;

    private Cli cli;
    private Path functions;
    private Path target;
    private Path control;
    private String requests;
    private String events;
    private String deadLetters;
    private String group;
    private final StartedHosts hosts = new StartedHosts();

    @BeforeAll
    static void startBroker() throws IOException {
        kafka = Kafka.start();
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @BeforeEach
    void setUp() {
        functions = tmp.resolve("fns");
        target = tmp.resolve("backups");
        control = hosts.control(tmp.resolve("held"));
        requests = kafka.newTopic("requests");
        events = kafka.newTopic("events");
        deadLetters = kafka.newTopic("dead-letters");
        group = "firesafe-test-" + UUID.randomUUID();
        cli = new Cli(tmp).env("FIRESAFE_MASTER_KEY", MasterKey.generate(65536).toEscrowText());
        kafka.connectorEnv().forEach(cli::env);
        Kafka.channelOptions(requests, events, deadLetters, group).forEach(cli::jvm);
        // test speed only: commit acknowledged offsets every 0.5 s (default 5 s), and let the broker drop a
        // killed host's group member after 2 s instead of the default 45 s session
        cli.jvm("-Dmp.messaging.incoming.backup-requests.auto.commit.interval.ms=500");
        cli.jvm("-Dmp.messaging.incoming.backup-requests.session.timeout.ms=2000");
        cli.jvm("-Dmp.messaging.incoming.backup-requests.heartbeat.interval.ms=500");
    }

    @AfterEach
    void tearDown() throws Exception {
        hosts.stopAll(); // releases a held command a killed host left behind, then stops every host
    }

    private Host serve() throws IOException {
        return hosts.start(cli, tmp, "--functions", functions.toString());
    }


    /** Every record of the requests topic acknowledged and its offset committed by the host's group. */
    private void awaitAllCommitted(Host host) {
        long end = kafka.end(requests);
        host.awaitCondition(() -> kafka.committed(group, requests) == end, WAIT,
                "the group to commit offset " + end + " on " + requests);
    }

    @Test
    void anEventRunsABackupAndItsCompletionIsPublishedMalformedOnesAreDeadLettered() throws Exception {
        BrokerScenario.writeFunctions(functions, tmp, target);
        BlockingQueue<String> completions = kafka.receive(events);
        BlockingQueue<String> rejected = kafka.receive(deadLetters);
        // sent before the host's consumer group exists: the Kafka default (start at the newest record) would
        // skip it; Firesafe's auto.offset.reset=earliest reads it
        kafka.send(requests, List.of(event("e1", "web")));
        Host host = serve();
        // the connector's own word that the 60 s ack-age check, which would close the consumer during any
        // backup longer than that, is off (application.properties)
        host.await("SRMSG18235: Will not health check throttled commit strategy", WAIT);

        BrokerScenario scenario = new BrokerScenario(bodies -> kafka.send(requests, bodies), completions, rejected,
                target, WAIT);
        scenario.expectWebCompleted();
        scenario.expectMalformedDeadLetteredAndConsumerAlive();
        // a failed run's record is acknowledged too (recorded, not retried)
        scenario.expectBrokenFailed();
        awaitAllCommitted(host);
        assertEquals(Collections.emptyList(), List.copyOf(completions), "one event per run");
    }

    @Test
    void aHostKilledMidBackupGetsTheEventAgainAndFinishesIt() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        Files.writeString(data.resolve("a.txt"), "a");
        Functions.write(functions, "quick", data, target, "  - type: message\n");
        Functions.writeHeld(functions, "crash", control, target, "  - type: message\n");
        BlockingQueue<String> completions = kafka.receive(events);
        Host first = serve();

        // offsets are committed at all: the first record's, once its run has finished
        kafka.send(requests, List.of(event("k0", "quick")));
        assertEquals("backup.completed", JSON.readTree(Amqp.next(completions, WAIT, "quick's completion"))
                .get("type").asText());
        awaitAllCommitted(first);
        assertEquals(1, kafka.committed(group, requests));

        // ...but not the second's while its run is going: killed there, the host gets it again from the broker
        kafka.send(requests, List.of(event("k1", "crash")));
        first.awaitCondition(() -> Functions.started(control) == 1, WAIT, "the held run to start");
        first.kill();
        assertEquals(0, Functions.backups(target, "crash"));
        assertEquals(1, kafka.committed(group, requests), "nothing committed for the unfinished run");

        Host second = serve();
        second.awaitCondition(() -> Functions.started(control) == 2, WAIT, "the redelivered event's run");
        Functions.release(control);
        JsonNode done = JSON.readTree(Amqp.next(completions, WAIT, "backup.completed after restart"));
        assertEquals("backup.completed", done.get("type").asText(), done.toString());
        assertEquals("crash", done.get("data").get("plan").asText(), done.toString());
        assertEquals(1, Functions.backups(target, "crash"));
        awaitAllCommitted(second);
        assertEquals(2, kafka.committed(group, requests));
        assertEquals(1, Functions.backups(target, "quick"), "the committed record was not delivered again");
        assertEquals(Collections.emptyList(), List.copyOf(completions), "one completion per run");
    }

    @Test
    void withNoChannelConfiguredTheKafkaConnectorDialsNothingAndTheHostIsHealthy() throws Exception {
        Files.createDirectories(functions);
        Cli plain = new Cli(tmp).env("FIRESAFE_MASTER_KEY", MasterKey.generate(65536).toEscrowText());
        try (Host host = Host.start(plain, tmp, "--functions", functions.toString())) {
            Host.Response health = host.get("/q/health");
            assertEquals(200, health.status(), health.body());
            assertEquals("UP", health.json().get("status").asText(), health.body());
            String log = host.log();
            assertTrue(log.contains("messaging-kafka"), "the Kafka connector is in the build:\n" + log);
            // a Kafka client left at its default broker would log the connector's lines and connection failures
            assertFalse(log.contains("[kafka]") || log.contains("[NetworkClient]") || log.contains(":9092"),
                    "no Kafka client started:\n" + log);
        }
    }
}
