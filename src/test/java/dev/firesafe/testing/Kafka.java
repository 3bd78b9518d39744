package dev.firesafe.testing;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Time;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * A real Kafka broker inside the test JVM: one KRaft node (broker and controller) from {@code kafka_2.13} on two
 * free loopback ports, its log in a temporary folder that {@link #close()} removes. Nothing has to be installed,
 * so tests using it never skip. The test side talks to it with plain Kafka clients: topics are created per test
 * ({@link #newTopic}), records sent synchronously ({@link #send}) and read from the beginning ({@link #receive}).
 */
public final class Kafka implements AutoCloseable {

    public static final String HOST = "127.0.0.1";
    private static final Duration CLIENT_WAIT = Duration.ofSeconds(30);
    /** Strong references: java.util.logging keeps loggers weakly, and a collected logger forgets its level. */
    private static final List<Logger> QUIET = new ArrayList<>();

    private final Path dir;
    private final KafkaRaftServer server;
    private final String bootstrap;
    private final Admin admin;
    private final KafkaProducer<String, String> producer;
    private final List<Receiver> receivers = new ArrayList<>();

    private Kafka(Path dir, KafkaRaftServer server, String bootstrap) {
        this.dir = dir;
        this.server = server;
        this.bootstrap = bootstrap;
        Properties a = new Properties();
        a.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        this.admin = Admin.create(a);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        this.producer = new KafkaProducer<>(p);
    }

    /** Formats a log folder and starts the broker; returns once it answers the admin client. */
    public static Kafka start() throws IOException {
        quietLogs();
        Path dir = Files.createTempDirectory("firesafe-kafka");
        int brokerPort = freePort();
        int controllerPort = freePort();
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@" + HOST + ":" + controllerPort);
        p.put("listeners", "PLAINTEXT://" + HOST + ":" + brokerPort + ",CONTROLLER://" + HOST + ":" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + brokerPort);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", dir.resolve("log").toString());
        p.put("num.partitions", "1");
        // one node: every internal topic with one replica and one partition (the defaults are 3 and 50)
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        // a consumer group forms at once instead of waiting 3 s for more members
        p.put("group.initial.rebalance.delay.ms", "0");
        // lets a test consumer use a short session, so a killed host's group member is dropped within seconds
        p.put("group.min.session.timeout.ms", "1000");
        Path config = dir.resolve("server.properties");
        try (OutputStream out = Files.newOutputStream(config)) {
            p.store(out, "firesafe test broker");
        }
        ByteArrayOutputStream formatLog = new ByteArrayOutputStream();
        int formatted = StorageTool.execute(new String[]{"format", "--cluster-id", Uuid.randomUuid().toString(),
                "--config", config.toString()}, new PrintStream(formatLog, true, StandardCharsets.UTF_8));
        if (formatted != 0) {
            throw new IllegalStateException("kafka-storage format failed (" + formatted + "): "
                    + formatLog.toString(StandardCharsets.UTF_8));
        }
        KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(p, false), Time.SYSTEM);
        server.startup();
        Kafka kafka = new Kafka(dir, server, HOST + ":" + brokerPort);
        try {
            kafka.admin.describeCluster().nodes().get(CLIENT_WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            kafka.close();
            throw new IllegalStateException("the Kafka broker did not answer on " + kafka.bootstrap, e);
        }
        return kafka;
    }

    /** The broker's own INFO lines (hundreds per start) drown the test output; warnings still show. */
    private static synchronized void quietLogs() {
        if (QUIET.isEmpty()) {
            for (String name : List.of("kafka", "org.apache.kafka", "state.change.logger")) {
                Logger logger = Logger.getLogger(name);
                logger.setLevel(Level.WARNING);
                QUIET.add(logger);
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return s.getLocalPort();
        }
    }

    /** {@code host:port} of the broker's plain listener. */
    public String bootstrap() {
        return bootstrap;
    }

    /** Creates a topic of one partition named for this test run. */
    public String newTopic(String kind) {
        String topic = "firesafe-" + kind + "-" + UUID.randomUUID();
        await(admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all());
        return topic;
    }

    /** Sends each value (no key) and waits until the broker has written all of them. */
    public void send(String topic, List<String> values) {
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (String value : values) {
            sent.add(producer.send(new ProducerRecord<>(topic, value)));
        }
        for (Future<RecordMetadata> f : sent) {
            await(f);
        }
    }

    /** Collects every value on {@code topic}, from its first record on, until {@link #close()}. */
    public BlockingQueue<String> receive(String topic) {
        Receiver r = new Receiver(bootstrap, topic);
        receivers.add(r);
        r.thread.start();
        return r.values;
    }

    /** The offset the consumer group has committed on partition 0 of {@code topic}; -1 when none. */
    public long committed(String group, String topic) {
        TopicPartition tp = new TopicPartition(topic, 0);
        Map<TopicPartition, OffsetAndMetadata> offsets = await(admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata());
        OffsetAndMetadata o = offsets.get(tp);
        return o == null ? -1 : o.offset();
    }

    /** The offset after the last record of partition 0 of {@code topic}. */
    public long end(String topic) {
        TopicPartition tp = new TopicPartition(topic, 0);
        return await(admin.listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp)).offset();
    }

    /**
     * The environment that puts the host's three channels on the Kafka connector and names the broker: the
     * variables README says work as such (names application.properties already sets, and the global broker list).
     */
    public Map<String, String> connectorEnv() {
        return Map.of("KAFKA_BOOTSTRAP_SERVERS", bootstrap,
                "MP_MESSAGING_INCOMING_BACKUP_REQUESTS_CONNECTOR", "smallrye-kafka",
                "MP_MESSAGING_OUTGOING_BACKUP_EVENTS_CONNECTOR", "smallrye-kafka",
                "MP_MESSAGING_OUTGOING_BACKUP_REQUESTS_DEAD_LETTER_CONNECTOR", "smallrye-kafka");
    }

    /** The channels' topics, (de)serializers and the consumer {@code group}, as JVM options. */
    public static List<String> channelOptions(String requests, String events, String deadLetters, String group) {
        String in = "-Dmp.messaging.incoming.backup-requests.";
        return List.of(in + "topic=" + requests,
                in + "value.deserializer=" + StringDeserializer.class.getName(),
                in + "group.id=" + group,
                "-Dmp.messaging.outgoing.backup-events.topic=" + events,
                "-Dmp.messaging.outgoing.backup-events.value.serializer=" + StringSerializer.class.getName(),
                "-Dmp.messaging.outgoing.backup-requests-dead-letter.topic=" + deadLetters,
                "-Dmp.messaging.outgoing.backup-requests-dead-letter.value.serializer="
                        + StringSerializer.class.getName());
    }

    private static <T> T await(Future<T> f) {
        try {
            return f.get(CLIENT_WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("no answer from the Kafka broker within " + CLIENT_WAIT, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        for (Receiver r : receivers) {
            r.close();
        }
        producer.close(Duration.ofSeconds(10));
        admin.close(Duration.ofSeconds(10));
        server.shutdown();
        server.awaitShutdown();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A consumer of one topic on a thread of its own, assigned partition 0 directly: no group, no rebalance. */
    private static final class Receiver {
        final BlockingQueue<String> values = new LinkedBlockingQueue<>();
        final KafkaConsumer<String, String> consumer;
        final Thread thread;

        Receiver(String bootstrap, String topic) {
            Properties p = new Properties();
            p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
            p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
            p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            consumer = new KafkaConsumer<>(p);
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            thread = new Thread(this::run, "kafka-receiver-" + topic);
            thread.setDaemon(true);
        }

        private void run() {
            try {
                while (true) {
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofSeconds(1))) {
                        values.add(r.value());
                    }
                }
            } catch (WakeupException e) {
                // close() asked
            } finally {
                consumer.close(Duration.ofSeconds(5));
            }
        }

        void close() {
            consumer.wakeup();
            try {
                thread.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
