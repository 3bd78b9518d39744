package dev.firesafe.testing;

import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real MQTT broker on loopback: the machine's Mosquitto (127.0.0.1:1883, anonymous). Topics are named per
 * test run. Skipped with the reason printed when none runs here and this is not CI.
 */
public final class Mqtt implements AutoCloseable {

    public static final String HOST = "127.0.0.1";
    public static final int PORT = 1883;

    private final Vertx vertx;
    private final MqttClient client;

    private Mqtt(Vertx vertx, MqttClient client) {
        this.vertx = vertx;
        this.client = client;
    }

    public static Mqtt connectOrSkip() {
        String reason = "this test needs an MQTT broker (Mosquitto, anonymous; .ci/run starts one)";
        Brokers.requireListening(HOST, PORT, reason);
        Vertx vertx = Vertx.vertx();
        MqttClient client = MqttClient.create(vertx, new MqttClientOptions().setClientId("firesafe-test-"
                + UUID.randomUUID()));
        try {
            await(client.connect(PORT, HOST));
        } catch (RuntimeException e) {
            // present but not as needed (e.g. anonymous clients refused): a skip outside CI, as a missing one
            vertx.close();
            throw Brokers.unavailable(reason + ": something listens on " + HOST + ":" + PORT + " but an anonymous "
                    + "MQTT connect failed: " + e.getMessage(), System::getenv);
        }
        return new Mqtt(vertx, client);
    }

    public static String newTopic(String kind) {
        return "firesafe-test/" + kind + "/" + UUID.randomUUID();
    }

    /** The Quarkus MQTT connector settings of the host, as JVM options. */
    public static List<String> connectorOptions(String requests, String events) {
        return List.of("-Dmp.messaging.incoming.backup-requests.connector=smallrye-mqtt",
                "-Dmp.messaging.incoming.backup-requests.host=" + HOST,
                "-Dmp.messaging.incoming.backup-requests.port=" + PORT,
                "-Dmp.messaging.incoming.backup-requests.topic=" + requests,
                "-Dmp.messaging.incoming.backup-requests.qos=1",
                "-Dmp.messaging.outgoing.backup-events.connector=smallrye-mqtt",
                "-Dmp.messaging.outgoing.backup-events.host=" + HOST,
                "-Dmp.messaging.outgoing.backup-events.port=" + PORT,
                "-Dmp.messaging.outgoing.backup-events.topic=" + events);
    }

    public void publish(String topic, String body) {
        await(client.publish(topic, Buffer.buffer(body), MqttQoS.AT_LEAST_ONCE, false, false));
    }

    public BlockingQueue<String> subscribe(String topic) {
        BlockingQueue<String> bodies = new LinkedBlockingQueue<>();
        client.publishHandler(m -> {
            if (m.topicName().equals(topic)) {
                bodies.add(m.payload().toString());
            }
        });
        await(client.subscribe(topic, MqttQoS.AT_LEAST_ONCE.value()));
        return bodies;
    }

    private static <T> T await(Future<T> f) {
        try {
            return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            await(client.disconnect());
        } finally {
            vertx.close();
        }
    }
}
