package dev.firesafe.testing;

import io.vertx.amqp.AmqpClient;
import io.vertx.amqp.AmqpClientOptions;
import io.vertx.amqp.AmqpConnection;
import io.vertx.amqp.AmqpMessage;
import io.vertx.amqp.AmqpReceiver;
import io.vertx.amqp.AmqpSender;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A real AMQP 1.0 broker on loopback: the machine's RabbitMQ (127.0.0.1:5672, guest/guest) with the
 * {@code rabbitmq_amqp1_0} plugin, which {@code .ci/run} starts and enables where missing. Queues are named per
 * test run ({@code /queue/firesafe-KIND-UUID}), so concurrent runs never share one.
 */
public final class Amqp implements AutoCloseable {

    public static final String HOST = "127.0.0.1";
    public static final int PORT = 5672;

    private final Vertx vertx;
    private final AmqpConnection connection;
    private final List<String> queues = new ArrayList<>();

    private Amqp(Vertx vertx, AmqpConnection connection) {
        this.vertx = vertx;
        this.connection = connection;
    }

    /** Connects, or fails / skips as {@link Brokers#unavailable} says. */
    public static Amqp connectOrSkip() {
        return connectOrSkip(HOST, PORT, System::getenv);
    }

    /**
     * A broker that listens but does not speak AMQP 1.0 (a stock RabbitMQ, whose AMQP 1.0 plugin is off) is as
     * unusable to these tests as none: skipped with the reason outside CI, a failure on CI.
     */
    static Amqp connectOrSkip(String host, int port, UnaryOperator<String> env) {
        String reason = "this test needs an AMQP 1.0 broker (RabbitMQ with rabbitmq_amqp1_0 enabled, guest/guest; "
                + ".ci/run starts one)";
        Brokers.requireListening(host, port, reason, env);
        Vertx vertx = Vertx.vertx();
        try {
            return new Amqp(vertx, await(AmqpClient.create(vertx, options(host, port)).connect()));
        } catch (RuntimeException e) {
            vertx.close();
            throw Brokers.unavailable(reason + ": something listens on " + host + ":" + port + " but AMQP 1.0 "
                    + "failed (is the plugin enabled? rabbitmq-plugins enable rabbitmq_amqp1_0): " + e.getMessage(),
                    env);
        }
    }

    private static AmqpClientOptions options(String host, int port) {
        return new AmqpClientOptions().setHost(host).setPort(port).setUsername("guest").setPassword("guest");
    }

    /** A fresh queue address for this test run. */
    public String newQueue(String kind) {
        String q = "firesafe-" + kind + "-" + UUID.randomUUID();
        queues.add(q);
        return "/queue/" + q;
    }

    /** The Quarkus AMQP connector settings of the host, as JVM options. */
    public static List<String> connectorOptions(String requests, String events, String deadLetters) {
        return List.of("-Damqp-host=" + HOST, "-Damqp-port=" + PORT, "-Damqp-username=guest",
                "-Damqp-password=guest",
                "-Dmp.messaging.incoming.backup-requests.connector=smallrye-amqp",
                "-Dmp.messaging.incoming.backup-requests.address=" + requests,
                "-Dmp.messaging.outgoing.backup-events.connector=smallrye-amqp",
                "-Dmp.messaging.outgoing.backup-events.address=" + events,
                "-Dmp.messaging.outgoing.backup-requests-dead-letter.connector=smallrye-amqp",
                "-Dmp.messaging.outgoing.backup-requests-dead-letter.address=" + deadLetters);
    }

    /** Sends each body and waits until the broker has accepted all of them. */
    public void send(String address, List<String> bodies) {
        AmqpSender sender = await(connection.createSender(address));
        List<Future<Void>> acks = new ArrayList<>();
        for (String body : bodies) {
            acks.add(sender.sendWithAck(AmqpMessage.create().withBody(body).build()));
        }
        await(Future.all(acks));
        // not closed here: RabbitMQ's AMQP 1.0 plugin may not answer a sender's detach; the connection's close ends it
    }

    /** Collects every message body that arrives on {@code address} from now on. */
    public BlockingQueue<String> receive(String address) {
        BlockingQueue<String> bodies = new LinkedBlockingQueue<>();
        AmqpReceiver receiver = await(connection.createReceiver(address));
        receiver.handler(m -> bodies.add(m.bodyAsString()));
        return bodies;
    }

    public static String next(BlockingQueue<String> bodies, Duration timeout, String what) {
        try {
            String body = bodies.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (body == null) {
                fail("no " + what + " within " + timeout);
            }
            return body;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static <T> T await(Future<T> f) {
        try {
            return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /**
     * Messages ready or unacknowledged in a queue of this run, from {@code rabbitmqctl} (the broker's own count);
     * -1 where rabbitmqctl is not available.
     */
    public static long messagesIn(String address) {
        String name = address.substring(address.lastIndexOf('/') + 1);
        try {
            Process p = new ProcessBuilder("rabbitmqctl", "-q", "list_queues", "name", "messages")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            p.waitFor(60, TimeUnit.SECONDS);
            for (String line : out.split("\n")) {
                String[] cols = line.trim().split("\\s+");
                if (cols.length == 2 && cols[0].equals(name)) {
                    return Long.parseLong(cols[1]);
                }
            }
            return -1;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    @Override
    public void close() {
        try {
            await(connection.close());
        } finally {
            vertx.close();
            // best effort: the test's queues go away with it
            for (String q : queues) {
                try {
                    new ProcessBuilder("rabbitmqctl", "-q", "delete_queue", q).redirectErrorStream(true)
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(60, TimeUnit.SECONDS);
                } catch (IOException e) {
                    break;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
    }
}
