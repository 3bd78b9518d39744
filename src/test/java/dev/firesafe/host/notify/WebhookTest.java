package dev.firesafe.host.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.firesafe.core.ExitCode;
import dev.firesafe.engine.backup.BackupFinished;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The webhook against a real local HTTP server (JDK HttpServer on a free loopback port). */
class WebhookTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private HttpServer server;
    private final BlockingQueue<byte[]> bodies = new LinkedBlockingQueue<>();
    private final AtomicInteger calls = new AtomicInteger();
    /** Status codes to answer, in order; the last one repeats. */
    private volatile List<Integer> answers = List.of(204);

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/hook/secret-token", exchange -> {
            bodies.add(exchange.getRequestBody().readAllBytes());
            int n = calls.getAndIncrement();
            exchange.sendResponseHeaders(answers.get(Math.min(n, answers.size() - 1)), -1);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook/secret-token");
    }

    private static Notification failedBackup() {
        BackupFinished e = new BackupFinished("vault", null, "cannot read /srv/vault: permission denied",
                ExitCode.SOURCE, Instant.parse("2026-11-24T01:00:00Z"), Duration.ofMillis(1234),
                List.of("s3://bucket/vault"));
        return Notification.of(e, "test-host", "2026-11-24T01:00:01Z");
    }

    @Test
    void aFailedBackupIsPostedAsDocumentedJson() throws Exception {
        assertTrue(new Webhook(url(), Duration.ofSeconds(5), 3, Duration.ofMillis(10)).send(failedBackup()));
        JsonNode body = JSON.readTree(bodies.take());
        assertEquals("backup.failed", body.get("event").asText());
        assertEquals("vault", body.get("function").asText());
        assertFalse(body.get("ok").asBoolean());
        assertEquals(6, body.get("exitCode").asInt());
        assertEquals("cannot read /srv/vault: permission denied", body.get("error").asText());
        assertEquals(1234, body.get("durationMs").asLong());
        assertEquals("s3://bucket/vault", body.get("targets").get(0).get("target").asText());
        assertEquals(1, calls.get());
    }

    @Test
    void serverErrorsAreRetriedABoundedNumberOfTimes() {
        answers = List.of(503, 500, 200);
        assertTrue(new Webhook(url(), Duration.ofSeconds(5), 3, Duration.ofMillis(10)).send(failedBackup()));
        assertEquals(3, calls.get());

        calls.set(0);
        answers = List.of(500);
        assertFalse(new Webhook(url(), Duration.ofSeconds(5), 3, Duration.ofMillis(10)).send(failedBackup()));
        assertEquals(3, calls.get(), "gives up after the configured attempts");
    }

    @Test
    void aRefusalIsNotRetried() {
        answers = List.of(404);
        assertFalse(new Webhook(url(), Duration.ofSeconds(5), 3, Duration.ofMillis(10)).send(failedBackup()));
        assertEquals(1, calls.get());
    }

    @Test
    void anUnreachableReceiverIsGivenUpWithoutThrowing() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        URI nowhere = URI.create("http://127.0.0.1:" + closedPort + "/hook");
        assertFalse(new Webhook(nowhere, Duration.ofSeconds(2), 2, Duration.ofMillis(10)).send(failedBackup()));
    }
}
