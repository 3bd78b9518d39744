package dev.firesafe.store.github;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;

import java.util.Optional;

/** Settings of {@code github://OWNER/REPO/PATH?branch=BRANCH} targets (README, "GitHub target"). */
@ConfigMapping(prefix = "firesafe.github")
public interface GitHubConfig {
    /** REST API base URL; GitHub Enterprise Server uses {@code https://HOST/api/v3}. */
    @WithDefault("https://api.github.com")
    String apiUrl();

    /**
     * Archives are split into files of at most this many bytes, each one Contents API request held in memory
     * while sent. 32 MiB (about 43 MiB as base64) stays well under the 100 MB file limit and the ~40 MiB at
     * which blob creation was seen to fail (docs/github.md).
     */
    @WithDefault("33554432")
    int partSize();

    /** Optional secrets service asked for the token when neither GITHUB_TOKEN nor GITHUB_TOKEN_FILE is set. */
    Optional<String> tokenUrl();

    /** Timeout of one secrets-service request (connect and read). */
    @WithDefault("2s")
    @WithConverter(DurationConverter.class)
    java.time.Duration tokenTimeout();

    /** Attempts at the secrets service before giving up (backoff doubles from retry-backoff). */
    @WithDefault("5")
    int tokenAttempts();

    /** Connect and read timeout of one GitHub request. */
    @WithDefault("60s")
    @WithConverter(DurationConverter.class)
    java.time.Duration timeout();

    /** Retries of one request after a 5xx answer or a dropped connection. */
    @WithDefault("5")
    int maxRetries();

    /** First wait before a retry; doubles each time (5xx, dropped connections, secrets service). */
    @WithDefault("1s")
    @WithConverter(DurationConverter.class)
    java.time.Duration retryBackoff();

    /** Most time one backup, list or prune may spend waiting out GitHub rate limits before it fails. */
    @WithDefault("15m")
    @WithConverter(DurationConverter.class)
    java.time.Duration rateLimitBudget();
}
