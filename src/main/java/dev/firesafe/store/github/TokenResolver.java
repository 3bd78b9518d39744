package dev.firesafe.store.github;

import dev.firesafe.core.Version;
import dev.firesafe.core.StoreIOException;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.core.Response;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * Finds the GitHub token, in this order: {@code GITHUB_TOKEN}, the file named by {@code GITHUB_TOKEN_FILE}
 * (Docker and Kubernetes secrets), then {@code firesafe.github.token-url}. The environment comes first because
 * the original system's failure was the reverse order: at boot its secrets service was not up yet and the backup
 * failed although the token sat in the environment. The service is asked with a short timeout and a bounded
 * number of attempts with backoff, so a slow service delays the backup by a bounded time and never hangs it.
 */
final class TokenResolver {

    private final UnaryOperator<String> env;
    private final GitHubConfig config;
    private final Sleeper sleeper;

    TokenResolver(UnaryOperator<String> env, GitHubConfig config, Sleeper sleeper) {
        this.env = env;
        this.config = config;
        this.sleeper = sleeper;
    }

    GitHubToken resolve() throws StoreIOException {
        String direct = env.apply("GITHUB_TOKEN");
        if (direct != null && !direct.isBlank()) {
            return new GitHubToken(direct.strip(), "GITHUB_TOKEN");
        }
        String file = env.apply("GITHUB_TOKEN_FILE");
        if (file != null && !file.isBlank()) {
            return fromFile(Path.of(file));
        }
        if (config.tokenUrl().isPresent()) {
            return fromService(config.tokenUrl().get());
        }
        throw new StoreIOException("no GitHub token: set GITHUB_TOKEN, GITHUB_TOKEN_FILE or "
                + "firesafe.github.token-url (README, 'GitHub target')", null);
    }

    private static GitHubToken fromFile(Path file) throws StoreIOException {
        String origin = "GITHUB_TOKEN_FILE " + file;
        try {
            String text = Files.readString(file).strip();
            if (text.isEmpty()) {
                throw new StoreIOException("the token file " + file + " (" + origin + ") is empty", null);
            }
            return new GitHubToken(text, origin);
        } catch (IOException | UncheckedIOException e) {
            throw new StoreIOException("cannot read the GitHub token from " + origin + ": "
                    + e.getClass().getSimpleName(), null);
        }
    }

    private GitHubToken fromService(String url) throws StoreIOException {
        String shown = withoutQuery(url);
        String origin = "secrets service " + shown;
        Duration timeout = config.tokenTimeout();
        SecretsServiceApi api = QuarkusRestClientBuilder.newBuilder().baseUri(URI.create(url))
                .connectTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .readTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .userAgent("firesafe/" + Version.current())
                .disableDefaultMapper(true)
                .build(SecretsServiceApi.class);
        String last = "";
        Duration wait = config.retryBackoff();
        for (int attempt = 1; attempt <= config.tokenAttempts(); attempt++) {
            try (Response r = api.fetch("text/plain")) {
                if (r.getStatus() == 200) {
                    String token = r.readEntity(String.class).strip();
                    if (!token.isEmpty()) {
                        return new GitHubToken(token, origin);
                    }
                    last = "an empty answer";
                } else if (r.getStatus() >= 500 || r.getStatus() == 429) {
                    last = "HTTP " + r.getStatus(); // not ready yet: try again
                } else {
                    throw new StoreIOException("the " + origin + " refused to give the GitHub token (HTTP "
                            + r.getStatus() + ")", null);
                }
            } catch (ProcessingException e) {
                last = "no answer within " + timeout.toMillis() + " ms or connection failed";
            }
            if (attempt < config.tokenAttempts()) {
                try {
                    sleeper.sleep(wait);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new StoreIOException("interrupted while waiting for the " + origin, e);
                }
                wait = wait.multipliedBy(2);
            }
        }
        throw new StoreIOException("no GitHub token from the " + origin + " after " + config.tokenAttempts()
                + " attempts (last: " + last + "); set GITHUB_TOKEN or GITHUB_TOKEN_FILE to avoid depending on it",
                null);
    }

    private static String withoutQuery(String url) {
        int q = url.indexOf('?');
        return q < 0 ? url : url.substring(0, q) + "?...";
    }
}
