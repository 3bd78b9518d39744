package dev.firesafe.core;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import io.smallrye.config.WithConverter;
import io.quarkus.runtime.configuration.DurationConverter;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every {@code firesafe.*} setting (README, "Configuration"). Environment variables map the usual Quarkus way:
 * {@code firesafe.master-key-file} is {@code FIRESAFE_MASTER_KEY_FILE}.
 */
@ConfigMapping(prefix = "firesafe")
public interface FiresafeConfig {

    /** Folder of function definitions ({@code NAME.yaml}), relative to the working directory. */
    @WithDefault("functions")
    String functionsDir();

    /** Target of plans that name none. */
    @WithName("target")
    @WithDefault("${user.home}/.local/share/firesafe/backups")
    String defaultTarget();

    /** The master key itself (env {@code FIRESAFE_MASTER_KEY}); checked first. */
    Optional<String> masterKey();

    /** A file holding the master key (env {@code FIRESAFE_MASTER_KEY_FILE}); checked second. */
    Optional<String> masterKeyFile();

    /**
     * Write-only mode: the public key from {@code keygen --write-only} (env {@code FIRESAFE_PUBLIC_KEY}). When it
     * or {@link #publicKeyFile()} is set, backups are sealed for it and never read any private key.
     */
    Optional<String> publicKey();

    /** A file holding the public key (env {@code FIRESAFE_PUBLIC_KEY_FILE}). */
    Optional<String> publicKeyFile();

    /** Where {@code init} writes the key and where it is looked for last. */
    @WithDefault("${user.home}/.config/firesafe/master.key")
    String defaultKeyFile();

    /** Compression of plans that name none: zstd, gzip or none. */
    @WithDefault("zstd")
    String compression();

    /** zstd level (1-19) or gzip level (1-9). */
    @WithDefault("3")
    int compressionLevel();

    /**
     * zstd worker threads; 0 compresses in the archiving thread. Three on a 2-core machine beat two: each worker
     * holds a job, so the archiving thread blocks less often on a full queue (1 GiB bench tree, cold: median
     * 4.4 s against 4.6 s, docs/benchmarks.md).
     */
    @WithDefault("3")
    int compressionWorkers();

    /** Ciphertext segment size of keys made by keygen (chosen by measurement: docs/crypto-choice.md). */
    @WithDefault("65536")
    int segmentSize();

    /** Settings of {@code s3://BUCKET/PREFIX} targets (README, "S3 targets"). */
    S3 s3();

    interface S3 {
        /** Endpoint of an S3-compatible server (MinIO, Garage, B2...); empty means AWS (env FIRESAFE_S3_ENDPOINT). */
        Optional<String> endpoint();

        /** Path-style URLs (http://host/bucket/key), which most self-hosted servers need. */
        @WithDefault("false")
        boolean pathStyle();

        /** Signing region; AWS_REGION if set, else us-east-1 (which self-hosted servers accept). */
        @WithDefault("${AWS_REGION:us-east-1}")
        String region();

        /**
         * Multipart part size in bytes, the memory one upload holds at a time. 8 MiB makes a 5 GiB archive 640
         * parts, far below S3's 10,000-part limit; S3 refuses parts under 5 MiB (except the last).
         */
        @WithDefault("8388608")
        int partSize();

        /**
         * Parts sent at the same time. Against S3Mock, 3 took a 585 MiB upload from 34.7 s to 28.4 s but peak RSS
         * from 276 to 500 MiB (the HTTP client's per-request buffers, not only the (this + 1) part buffers), so
         * the default stays 1 (docs/benchmarks.md, "S3 upload"). Raise it where memory allows.
         */
        @WithDefault("1")
        int partsInFlight();

        /** Object Lock retention mode for new backups: GOVERNANCE or COMPLIANCE (the bucket must have Object Lock). */
        Optional<String> objectLockMode();

        /** Object Lock retention in days from upload; needed with {@link #objectLockMode()}. */
        Optional<Integer> objectLockDays();

        /**
         * Multipart uploads under the target's prefix that were started longer ago than this are aborted after
         * each successful backup: the parts a run left behind when the server or network died before it could
         * abort them. Long enough never to touch another host's backup that is still running.
         */
        @WithDefault("24h")
        String staleUploadAge();
    }

    /** Settings of {@code github://OWNER/REPO/PATH?branch=BRANCH} targets (README, "GitHub target"). */
    GitHub github();

    interface GitHub {
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

    /** Settings of PostgreSQL sources and restores (README, "Plans"). */
    Postgres postgres();

    interface Postgres {
        /**
         * Where to look for pg_dump, pg_dumpall, psql and pg_restore, in order: {@code PATH} (the PATH folders),
         * folders (a {@code *} matches one folder name) or the programs themselves. A dump needs a client of the
         * server's major version or newer; of those that fit, the oldest is used, since its output is the most
         * likely to load back into a server of the dumped version.
         */
        @WithDefault("PATH,/usr/lib/postgresql/*/bin")
        List<String> clientPaths();
    }

    /** Per-plan overrides of what the function files say: {@code firesafe.plans.NAME.targets=...}. */
    Map<String, PlanOverride> plans();

    interface PlanOverride {
        Optional<List<String>> sources();

        Optional<List<String>> targets();

        Optional<String> compression();
    }
}
