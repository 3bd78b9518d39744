package dev.firesafe.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.firesafe.crypto.MasterKey;
import dev.firesafe.testing.Amqp;
import dev.firesafe.testing.Cli;
import dev.firesafe.testing.Functions;
import dev.firesafe.testing.Host;
import dev.firesafe.testing.Mqtt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The message trigger over MQTT against the machine's Mosquitto on loopback (skipped, with the reason, without). */
class MqttIT {

    @TempDir
    Path tmp;

    @Test
    void anEventOnAnMqttTopicRunsABackupAndTheCompletionIsPublished() throws Exception {
        try (Mqtt mqtt = Mqtt.connectOrSkip()) {
            Path data = Files.createDirectories(tmp.resolve("data"));
            Files.writeString(data.resolve("a.txt"), "a");
            Path functions = tmp.resolve("fns");
            Path target = tmp.resolve("backups");
            Functions.write(functions, "web", data, target, "  - type: message\n");
            String requests = Mqtt.newTopic("requests");
            String events = Mqtt.newTopic("events");
            BlockingQueue<String> completions = mqtt.subscribe(events);
            Cli cli = new Cli(tmp).env("FIRESAFE_MASTER_KEY", MasterKey.generate(65536).toEscrowText());
            Mqtt.connectorOptions(requests, events).forEach(cli::jvm);
            try (Host host = Host.start(cli, tmp, "--functions", functions.toString())) {
                // the connector subscribes after start-up; MQTT keeps no message for a topic nobody subscribed to
                host.awaitCondition(() -> {
                    mqtt.publish(requests, "{\"specversion\":\"1.0\",\"id\":\"m1\",\"source\":\"/test\","
                            + "\"type\":\"snapshot.completed\",\"subject\":\"web\"}");
                    return !completions.isEmpty() || Functions.backups(target, "web") > 0;
                }, Duration.ofSeconds(60), "a backup from an MQTT event");
                JsonNode done = new ObjectMapper().readTree(Amqp.next(completions, Duration.ofSeconds(60),
                        "backup.completed on MQTT"));
                assertEquals("backup.completed", done.get("type").asText(), done.toString());
                assertEquals("web", done.get("data").get("plan").asText());
                assertTrue(Functions.backups(target, "web") >= 1);
            }
        }
    }
}
