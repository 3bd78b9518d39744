package dev.firesafe.engine.restore;

import java.nio.charset.StandardCharsets;

/**
 * A set of names held as two independent 64-bit hashes each (16 bytes a name, where a set of strings took ~100),
 * the lowest bit of the second saying whether the name is a folder: what a restore of a million entries remembers
 * to refuse a name seen twice or a name below a file. A false "seen" needs both hashes of two different names to
 * collide, about one chance in 2^127.
 */
final class NameHashes {

    private static final double LOAD = 0.7;
    private long[] a = new long[2048];
    private long[] b = new long[2048];
    private boolean[] used = new boolean[2048];
    private int size;

    /** Adds {@code name}, a folder or not; false if it was there already (as either). */
    boolean add(String name, boolean folder) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        long h1 = hash(bytes, 0x9E3779B97F4A7C15L);
        long h2 = hash(bytes, 0xC2B2AE3D27D4EB4FL) & ~1L;
        if (contains(h1, h2) || contains(h1, h2 | 1)) {
            return false;
        }
        return add(h1, folder ? h2 | 1 : h2);
    }

    /** Whether {@code name} was added as something other than a folder. */
    boolean containsNonFolder(String name) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        return contains(hash(bytes, 0x9E3779B97F4A7C15L), hash(bytes, 0xC2B2AE3D27D4EB4FL) & ~1L);
    }

    private boolean contains(long h1, long h2) {
        int mask = used.length - 1;
        for (int i = (int) (h1 ^ (h1 >>> 29)) & mask; used[i]; i = (i + 1) & mask) {
            if (a[i] == h1 && b[i] == h2) {
                return true;
            }
        }
        return false;
    }

    private boolean add(long h1, long h2) {
        if (size + 1 > used.length * LOAD) {
            grow();
        }
        int mask = used.length - 1;
        int i = (int) (h1 ^ (h1 >>> 29)) & mask;
        while (used[i]) {
            if (a[i] == h1 && b[i] == h2) {
                return false;
            }
            i = (i + 1) & mask;
        }
        used[i] = true;
        a[i] = h1;
        b[i] = h2;
        size++;
        return true;
    }

    private void grow() {
        long[] oldA = a;
        long[] oldB = b;
        boolean[] oldUsed = used;
        a = new long[oldUsed.length * 2];
        b = new long[oldUsed.length * 2];
        used = new boolean[oldUsed.length * 2];
        size = 0;
        for (int i = 0; i < oldUsed.length; i++) {
            if (oldUsed[i]) {
                add(oldA[i], oldB[i]);
            }
        }
    }

    /** A 64-bit FNV-1a variant with a seed and a final mix (not cryptographic: names come from the backup). */
    private static long hash(byte[] bytes, long seed) {
        long h = seed ^ 0xCBF29CE484222325L;
        for (byte x : bytes) {
            h ^= x & 0xff;
            h *= 0x100000001B3L;
        }
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        h *= 0xC4CEB9FE1A85EC53L;
        h ^= h >>> 33;
        return h;
    }
}
