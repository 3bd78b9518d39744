package dev.firesafe.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A generated tree of many small files (100 B to 1 KiB, 1000 a folder), the shape that makes memory grow with the
 * file count (issue #18 point 2). File i's content is a slice of a fixed random pool chosen by i alone, so it can
 * be made again to compare with what is restored.
 */
public final class SmallFiles {

    private static final int PER_FOLDER = 1000;

    private SmallFiles() {
    }

    public static Path file(Path root, int i) {
        return root.resolve(String.format("d%04d/f%07d.txt", i / PER_FOLDER, i));
    }

    /** Writes {@code count} files under root from two threads (creating files is the kernel's work: two cores make it twice as fast). */
    public static void generate(Path root, int count) throws Exception {
        byte[] pool = pool();
        int folders = (count + PER_FOLDER - 1) / PER_FOLDER;
        ExecutorService workers = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                int first = t;
                done.add(workers.submit(() -> {
                    for (int d = first; d < folders; d += 2) {
                        Files.createDirectories(root.resolve(String.format("d%04d", d)));
                        for (int i = d * PER_FOLDER; i < Math.min(count, (d + 1) * PER_FOLDER); i++) {
                            Files.write(file(root, i), content(pool, i));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            workers.shutdownNow();
        }
    }

    public static byte[] pool() {
        byte[] pool = new byte[1 << 20];
        new Random(18).nextBytes(pool);
        return pool;
    }

    /** File i's content: 100 to 1024 bytes of the pool, where a mix of i says (SplitMix64). */
    public static byte[] content(byte[] pool, int i) {
        long z = (i + 1) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        int size = 100 + (int) Long.remainderUnsigned(z, 925);
        int at = (int) Long.remainderUnsigned(z >>> 20, pool.length - size);
        return Arrays.copyOfRange(pool, at, at + size);
    }
}
