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

    /**
     * Write-only hosts only: the secret that names content in their backups (chunk ids, chunk boundaries), made
     * on first use. It decrypts nothing; losing it costs one full backup (README, "Write-only mode").
     */
    @WithDefault("${user.home}/.config/firesafe/content.key")
    String contentKeyFile();

    /**
     * Where this host keeps what it knows of each plan's backups on each target (files and chunks already stored),
     * so incremental backups need not read the target to find out. Safe to delete: the next backup then reads the
     * target (or, write-only, stores everything again).
     */
    @WithDefault("${user.home}/.cache/firesafe")
    String cacheDir();

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

    /**
     * How long a backup that retention removed still counts as kept for what its object holds (docs/retention.md,
     * "Prune while backups run"): prune reclaims nothing a backup removed less than this long ago needs, so a
     * backup that started while it was listed, and takes less than this, never loses a chunk it referenced. Longer
     * than the longest backup.
     */
    @WithDefault("24h")
    java.time.Duration pruneGrace();




    /** Per-plan overrides of what the function files say: {@code firesafe.plans.NAME.targets=...}. */
    Map<String, PlanOverride> plans();

    interface PlanOverride {
        Optional<List<String>> sources();

        Optional<List<String>> targets();

        Optional<String> compression();

        /** The longest time between self-contained backups ({@code 7d}); see the plan's {@code full-every}. */
        Optional<String> fullEvery();
    }
}
