package dev.firesafe.store.s3;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.util.Optional;

/** Settings of {@code s3://BUCKET/PREFIX} targets (README, "S3 targets"). */
@ConfigMapping(prefix = "firesafe.s3")
public interface S3Config {
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
