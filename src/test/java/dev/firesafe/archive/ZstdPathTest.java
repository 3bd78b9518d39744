package dev.firesafe.archive;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The zstd path of backups and restores, through {@link Compression} as BackupService and RestoreService use it:
 * level 3 in the caller's thread and with worker threads, and frames interchangeable with the reference zstd.
 *
 * <p>On the project's Java 17 test JVM these run zstd-jni's JNI classes: the classes the packaged jar and the native
 * executable contain, now that the FFM classes of its multi-release jar are removed from them (issue #22,
 * {@code PackagedZstdIT}). A JDK 22+ test JVM would run the FFM classes of the jar on the Maven class path here.
 */
class ZstdPathTest {

    private static final byte[] ZSTD_MAGIC = {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd};

    /** Compressible text with incompressible runs, larger than the 1 MiB worker job so several jobs are cut. */
    private static byte[] sample() {
        Random random = new Random(22);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] noise = new byte[4096];
        for (int i = 0; out.size() < (3 << 20) + 12345; i++) {
            out.writeBytes(("line " + i + " of a log file that repeats itself a lot\n").getBytes());
            if (i % 500 == 0) {
                random.nextBytes(noise);
                out.writeBytes(noise);
            }
        }
        return out.toByteArray();
    }

    private static byte[] compress(byte[] data, int workers) throws IOException {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        try (OutputStream z = Compression.ZSTD.compress(sink, 3, workers)) {
            // Odd-sized writes, as the tar writer makes them.
            for (int off = 0; off < data.length; off += 7919) {
                z.write(data, off, Math.min(7919, data.length - off));
            }
        }
        return sink.toByteArray();
    }

    private static byte[] decompress(byte[] frame) throws IOException {
        try (InputStream in = Compression.ZSTD.decompress(new ByteArrayInputStream(frame))) {
            return in.readAllBytes();
        }
    }

    @Test
    void roundTripInTheCallersThreadAndWithWorkers() throws IOException {
        byte[] data = sample();
        for (int workers : new int[] {0, 2}) {
            byte[] frame = compress(data, workers);
            assertArrayEquals(ZSTD_MAGIC, Arrays.copyOf(frame, 4), "a zstd frame, workers=" + workers);
            assertTrue(frame.length < data.length / 4, "compressed to " + frame.length + " of " + data.length);
            assertArrayEquals(data, decompress(frame), "workers=" + workers);
        }
    }

    /** The reference implementation reads what the JNI path writes, and the JNI path reads what it writes. */
    @Test
    void framesAreInterchangeableWithTheZstdCommandWhereItIsInstalled() throws Exception {
        Path zstd = Path.of("/usr/bin/zstd");
        // Skipped, with the reason on the console, where zstd is missing; the round trip above still runs.
        assumeTrue(Files.isExecutable(zstd), "the zstd command is not installed: apt-get install zstd");
        byte[] data = sample();
        Path dir = Files.createTempDirectory("zstd-path");
        try {
            Path ours = dir.resolve("ours.zst");
            Files.write(ours, compress(data, 2));
            assertArrayEquals(data, run(zstd.toString(), "-d", "-c", ours.toString()));
            Path plain = dir.resolve("plain");
            Files.write(plain, data);
            assertArrayEquals(data, decompress(run(zstd.toString(), "-3", "-c", plain.toString())));
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(dir);
        }
    }

    private static byte[] run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "zstd did not finish");
        assertEquals(0, p.exitValue(), String.join(" ", command));
        return out;
    }
}
