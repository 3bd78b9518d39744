package dev.firesafe.chunking;

import java.util.Locale;
import java.util.Objects;

/**
 * What a {@link Chunker} cuts: the boundary algorithm and the minimum, normal ("average") and maximum chunk sizes in
 * bytes. Together with the chunker secret these decide every boundary, so a repository must store them and every
 * backup into it must use the same values, or nothing deduplicates against earlier backups.
 *
 * <p>Rules: {@code 128 <= min <= avg <= max <= 64 MiB}. {@code avg} is rounded to the nearest power of two when the
 * masks are made ({@link #avgBits()}); with FastCDC's normalized chunking (level 2) the measured mean chunk size of a
 * large file lands near {@code avg} (docs/chunking.md has the measured figures). A stream shorter than {@code min}
 * is one chunk; the last chunk of a stream may be shorter than {@code min}.
 *
 * @param algorithm the boundary test
 * @param min       no boundary before this many bytes of a chunk (FastCDC skips hashing most of them)
 * @param avg       the normal size: a stricter test before it, a looser one after it
 * @param max       a chunk is cut here whatever the content
 */
public record ChunkerParams(Algorithm algorithm, int min, int avg, int max) {

    /**
     * The proposed default for new repositories: keyed gear, 256 KiB / 512 KiB / 2 MiB, chosen by measurement
     * (docs/chunking.md): issue #20's change (c) stores about what restic stores, the index stays near 1.1 M entries
     * for 100 GB in 1 M files, and the boundary search is the fastest of the sizes that meet the target.
     */
    public static final ChunkerParams DEFAULT = new ChunkerParams(Algorithm.GEAR_KEYED, 256 << 10, 512 << 10, 2 << 20);

    /** Largest allowed {@link #max}: a chunk is handed out as one array view, and buffers are {@code max} + a read. */
    public static final int MAX_LIMIT = 64 << 20;
    /** Smallest allowed {@link #min}: the 64-byte boundary window plus its one-byte warm-up, rounded up. */
    public static final int MIN_LIMIT = 128;

    /** The boundary test. The id is what a repository records; it names the table derivation too. */
    public enum Algorithm {
        /**
         * FastCDC (gear hash, normalized chunking level 2) with a secret gear table, secret mask bit positions and a
         * secret match value, all derived from the chunker secret. Fastest; resists naive size fingerprinting, but
         * the CCS 2025 paper recovers such keys from enough boundaries of known data (docs/chunking.md).
         */
        GEAR_KEYED("fastcdc-gear-keyed-v1"),
        /**
         * FastCDC's normalized chunking and size limits, but every boundary test is made on AES-128(secret key) of
         * a keyed universal hash (Toeplitz, 64-byte window) of the last 64 bytes: the "hash-then-PRF" construction
         * the CCS 2025 paper proposes. Boundaries look random to anyone without the key. Slower where AES is slow.
         */
        TOEPLITZ_AES("fastcdc-toeplitz-aes-v1");

        private final String id;

        Algorithm(String id) {
            this.id = id;
        }

        /** The stable name of the algorithm, as stored in a repository's configuration. */
        public String id() {
            return id;
        }

        /** The algorithm with this {@link #id()}. */
        public static Algorithm ofId(String id) {
            for (Algorithm a : values()) {
                if (a.id.equals(id)) {
                    return a;
                }
            }
            throw new IllegalArgumentException("unknown chunker algorithm: " + id);
        }
    }

    public ChunkerParams {
        Objects.requireNonNull(algorithm, "algorithm");
        if (min < MIN_LIMIT || min > avg || avg > max || max > MAX_LIMIT) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "chunk sizes must satisfy %d <= min <= avg <= max <= %d, got %d/%d/%d",
                    MIN_LIMIT, MAX_LIMIT, min, avg, max));
        }
        int bits = roundLog2(avg);
        if (bits < 7) {
            throw new IllegalArgumentException("avg out of range: " + avg);
        }
    }

    /** Keyed gear FastCDC with these sizes. */
    public static ChunkerParams gear(int min, int avg, int max) {
        return new ChunkerParams(Algorithm.GEAR_KEYED, min, avg, max);
    }

    /** Hash-then-AES FastCDC with these sizes. */
    public static ChunkerParams toeplitzAes(int min, int avg, int max) {
        return new ChunkerParams(Algorithm.TOEPLITZ_AES, min, avg, max);
    }

    /** The same sizes with another algorithm. */
    public ChunkerParams withAlgorithm(Algorithm a) {
        return new ChunkerParams(a, min, avg, max);
    }

    /** log2 of {@link #avg} rounded to the nearest integer: the strict mask has this + 2 bits, the loose one - 2. */
    public int avgBits() {
        return roundLog2(avg);
    }

    /** Parses {@code "ALGORITHM-ID:MIN/AVG/MAX"} or {@code "MIN/AVG/MAX"} (keyed gear); sizes take K, M suffixes. */
    public static ChunkerParams parse(String s) {
        String algo = Algorithm.GEAR_KEYED.id();
        int colon = s.indexOf(':');
        if (colon >= 0) {
            algo = s.substring(0, colon);
            s = s.substring(colon + 1);
        }
        String[] p = s.split("/");
        if (p.length != 3) {
            throw new IllegalArgumentException("expected MIN/AVG/MAX, got " + s);
        }
        return new ChunkerParams(Algorithm.ofId(algo), size(p[0]), size(p[1]), size(p[2]));
    }

    private static int size(String s) {
        String t = s.trim().toUpperCase(Locale.ROOT);
        long mult = 1;
        if (t.endsWith("K")) {
            mult = 1 << 10;
        } else if (t.endsWith("M")) {
            mult = 1 << 20;
        }
        if (mult != 1) {
            t = t.substring(0, t.length() - 1);
        }
        return Math.toIntExact(Long.parseLong(t) * mult);
    }

    private static int roundLog2(int v) {
        int floor = 31 - Integer.numberOfLeadingZeros(v);
        // nearest power of two: compare v against 2^floor * sqrt(2)
        return (double) v >= Math.scalb(Math.sqrt(2), floor) ? floor + 1 : floor;
    }

    /** {@code algorithm-id:min/avg/max} with K/M suffixes where exact, the form {@link #parse} reads. */
    @Override
    public String toString() {
        return algorithm.id() + ":" + human(min) + "/" + human(avg) + "/" + human(max);
    }

    /** {@code min/avg/max} only, e.g. {@code 512K/1M/8M}. */
    public String sizes() {
        return human(min) + "/" + human(avg) + "/" + human(max);
    }

    private static String human(int v) {
        if (v % (1 << 20) == 0) {
            return (v >> 20) + "M";
        }
        if (v % (1 << 10) == 0) {
            return (v >> 10) + "K";
        }
        return Integer.toString(v);
    }
}
