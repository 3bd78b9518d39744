package dev.firesafe.target.github;

import com.sun.net.httpserver.HttpServer;
import dev.firesafe.target.TargetIOException;
import dev.firesafe.testing.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Token lookup order and the secrets service: a real HTTP server that does not answer its first requests (as a
 * service still booting), so the resolver's timeout and bounded retries are what is tested.
 */
@QuarkusTest
class TokenResolverTest {

    private static final String TOKEN = "ghp_service_" + System.nanoTime();

    @TempDir
    Path tmp;

    private HttpServer service;
    private final ExecutorService threads = Executors.newFixedThreadPool(8);
    private final CountDownLatch release = new CountDownLatch(1);
    private final AtomicInteger requests = new AtomicInteger();
    private volatile int slowAnswers;
    private final List<Duration> slept = new ArrayList<>();
    private final Map<String, String> env = new HashMap<>();
    private final Map<String, String> settings = new HashMap<>();

    @BeforeEach
    void start() throws IOException {
        service = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        service.createContext("/secrets/github", ex -> {
            try (ex) {
                if (requests.incrementAndGet() <= slowAnswers) {
                    // Hangs like a service that is not up yet: answers only when the test ends.
                    release.await(30, TimeUnit.SECONDS);
                }
                byte[] body = (TOKEN + "\n").getBytes(StandardCharsets.UTF_8);
                ex.sendResponseHeaders(200, body.length);
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(body);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        service.setExecutor(threads);
        service.start();
        settings.put("firesafe.github.token-url", "http://127.0.0.1:" + service.getAddress().getPort()
                + "/secrets/github?key=GITHUB_TOKEN");
        settings.put("firesafe.github.token-timeout", "300ms");
        settings.put("firesafe.github.token-attempts", "4");
        settings.put("firesafe.github.retry-backoff", "1s");
    }

    @AfterEach
    void stop() {
        release.countDown();
        service.stop(0);
        threads.shutdownNow();
    }

    private TokenResolver resolver() {
        return new TokenResolver(env::get, Fixtures.config(settings).github(), slept::add);
    }

    @Test
    void aSlowSecretsServiceDelaysButDoesNotFail() throws IOException {
        slowAnswers = 2;
        GitHubToken token = resolver().resolve();
        assertTrue(token.appearsIn(TOKEN) && TOKEN.contains(token.authorization().substring(7)));
        assertEquals(3, requests.get(), "two timed out, the third answered");
        assertEquals(List.of(Duration.ofSeconds(1), Duration.ofSeconds(2)), slept, "doubling backoff");
        assertTrue(token.origin().startsWith("secrets service http://127.0.0.1:"), token.origin());
        assertFalse(token.origin().contains("key=GITHUB_TOKEN"), "the query may hold secrets: not shown");
        assertFalse(token.toString().contains(TOKEN));
    }

    @Test
    void aSecretsServiceThatNeverAnswersFailsInBoundedTime() {
        slowAnswers = Integer.MAX_VALUE;
        long started = System.nanoTime();
        TargetIOException e = assertThrows(TargetIOException.class, () -> resolver().resolve());
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertEquals(4, requests.get());
        assertTrue(tookMs < 4 * 300 + 3000, "4 attempts of 300 ms, not a hang: took " + tookMs + " ms");
        assertTrue(e.getMessage().contains("after 4 attempts") && e.getMessage().contains("secrets service"),
                e.getMessage());
    }

    @Test
    void theEnvironmentComesFirstThenTheFileThenTheService() throws IOException {
        Path file = Files.writeString(tmp.resolve("token"), "from-file\n");
        env.put("GITHUB_TOKEN", "from-env");
        env.put("GITHUB_TOKEN_FILE", file.toString());
        assertEquals("GITHUB_TOKEN", resolver().resolve().origin());
        env.remove("GITHUB_TOKEN");
        GitHubToken fromFile = resolver().resolve();
        assertEquals("GITHUB_TOKEN_FILE " + file, fromFile.origin());
        assertEquals("Bearer from-file", fromFile.authorization());
        assertEquals(0, requests.get(), "the service is not asked when a token is at hand");
        env.put("GITHUB_TOKEN_FILE", tmp.resolve("missing").toString());
        TargetIOException e = assertThrows(TargetIOException.class, () -> resolver().resolve());
        assertTrue(e.getMessage().contains(tmp.resolve("missing").toString()), e.getMessage());
    }
}
