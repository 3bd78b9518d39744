package dev.firesafe.store.github;

import dev.firesafe.core.StoreIOException;
import dev.firesafe.testing.Fixtures;
import dev.firesafe.testing.SecretsService;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Token lookup order and the secrets service: a real HTTP server ({@link SecretsService}) that does not answer
 * its first requests (as a service still booting), so the resolver's timeout and bounded retries are tested.
 */
@QuarkusTest
class TokenResolverTest {

    private static final String TOKEN = "ghp_service_" + System.nanoTime();

    @TempDir
    Path tmp;

    private SecretsService service;
    private final List<Duration> slept = new ArrayList<>();
    private final Map<String, String> env = new HashMap<>();
    private final Map<String, String> settings = new HashMap<>();

    private void startService(int hanging) throws IOException {
        service = new SecretsService(TOKEN, hanging);
        settings.put("firesafe.github.token-url", service.url());
    }

    @BeforeEach
    void settings() {
        settings.put("firesafe.github.token-timeout", "300ms");
        settings.put("firesafe.github.token-attempts", "4");
        settings.put("firesafe.github.retry-backoff", "1s");
    }

    @AfterEach
    void stop() {
        if (service != null) {
            service.close();
        }
    }

    private TokenResolver resolver() {
        return new TokenResolver(env::get, Fixtures.services(settings).settings().github(), slept::add);
    }

    @Test
    void aSlowSecretsServiceDelaysButDoesNotFail() throws IOException {
        startService(2);
        GitHubToken token = resolver().resolve();
        assertTrue(token.appearsIn(TOKEN) && TOKEN.contains(token.authorization().substring(7)));
        assertEquals(3, service.requests(), "two timed out, the third answered");
        assertEquals(List.of(Duration.ofSeconds(1), Duration.ofSeconds(2)), slept, "doubling backoff");
        assertTrue(token.origin().startsWith("secrets service http://127.0.0.1:"), token.origin());
        assertFalse(token.origin().contains("key=GITHUB_TOKEN"), "the query may hold secrets: not shown");
        assertFalse(token.toString().contains(TOKEN));
    }

    @Test
    void aSecretsServiceThatNeverAnswersFailsInBoundedTime() throws IOException {
        startService(Integer.MAX_VALUE);
        long started = System.nanoTime();
        StoreIOException e = assertThrows(StoreIOException.class, () -> resolver().resolve());
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertEquals(4, service.requests());
        assertTrue(tookMs < 4 * 300 + 3000, "4 attempts of 300 ms, not a hang: took " + tookMs + " ms");
        assertTrue(e.getMessage().contains("after 4 attempts") && e.getMessage().contains("secrets service"),
                e.getMessage());
    }

    @Test
    void theEnvironmentComesFirstThenTheFileThenTheService() throws IOException {
        startService(0);
        Path file = Files.writeString(tmp.resolve("token"), "from-file\n");
        env.put("GITHUB_TOKEN", "from-env");
        env.put("GITHUB_TOKEN_FILE", file.toString());
        assertEquals("GITHUB_TOKEN", resolver().resolve().origin());
        env.remove("GITHUB_TOKEN");
        GitHubToken fromFile = resolver().resolve();
        assertEquals("GITHUB_TOKEN_FILE " + file, fromFile.origin());
        assertEquals("Bearer from-file", fromFile.authorization());
        assertEquals(0, service.requests(), "the service is not asked when a token is at hand");
        env.put("GITHUB_TOKEN_FILE", tmp.resolve("missing").toString());
        StoreIOException e = assertThrows(StoreIOException.class, () -> resolver().resolve());
        assertTrue(e.getMessage().contains(tmp.resolve("missing").toString()), e.getMessage());
    }
}
