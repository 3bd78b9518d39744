package dev.firesafe.bench.chunking;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;
import java.util.Random;

/**
 * Why the gear loop is the plain byte loop: the same test (mask, match) at every byte of 64 MiB of random data, as
 * (1) one byte a step, (2) FastCDC 2020's "rolling two bytes" and (3) a four-byte step that combines the gear
 * words off the critical path and tests the three intermediate states shifted. Rates by thread CPU time, 16 rounds;
 * all three must count the same matches.
 *
 * <pre>java -cp bench/chunking/target/classes dev.firesafe.bench.chunking.GearLoops</pre>
 */
public final class GearLoops {

    static final long[] G = new long[256];
    static final long MASK = 0x0F0F_0F0F_F000_0000L & ~(7L << 61);
    static final long MATCH = 0x0101_0101_1000_0000L & MASK;

    static int oneByte(byte[] b) {
        long fp = 0;
        int c = 0;
        long[] g = G;
        for (int i = 0; i < b.length; i++) {
            fp = (fp << 1) + g[b[i] & 0xff];
            if ((fp & MASK) == MATCH) {
                c++;
            }
        }
        return c;
    }

    static int twoBytes(byte[] b) {
        long fp = 0;
        int c = 0;
        long[] g = G;
        long m1 = MASK << 1;
        long t1 = MATCH << 1;
        for (int i = 0; i + 1 < b.length; i += 2) {
            fp = (fp << 2) + (g[b[i] & 0xff] << 1);
            if ((fp & m1) == t1) {
                c++;
            }
            fp += g[b[i + 1] & 0xff];
            if ((fp & MASK) == MATCH) {
                c++;
            }
        }
        return c;
    }

    static int fourBytes(byte[] b) {
        long fp = 0;
        int c = 0;
        long[] g = G;
        long m1 = MASK << 1;
        long m2 = MASK << 2;
        long m3 = MASK << 3;
        long t1 = MATCH << 1;
        long t2 = MATCH << 2;
        long t3 = MATCH << 3;
        for (int i = 0; i + 3 < b.length; i += 4) {
            long g0 = g[b[i] & 0xff] << 3;
            long g01 = g0 + (g[b[i + 1] & 0xff] << 2);
            long g012 = g01 + (g[b[i + 2] & 0xff] << 1);
            long g0123 = g012 + g[b[i + 3] & 0xff];
            long a = fp << 4;
            long s3 = a + g0;
            long s2 = a + g01;
            long s1 = a + g012;
            long s0 = a + g0123;
            if (((s3 & m3) == t3) | ((s2 & m2) == t2) | ((s1 & m1) == t1) | ((s0 & MASK) == MATCH)) {
                c += (((s3 & m3) == t3) ? 1 : 0) + (((s2 & m2) == t2) ? 1 : 0) + (((s1 & m1) == t1) ? 1 : 0)
                        + (((s0 & MASK) == MATCH) ? 1 : 0);
            }
            fp = s0;
        }
        return c;
    }

    public static void main(String[] args) {
        Random r = new Random(1);
        for (int i = 0; i < 256; i++) {
            G[i] = r.nextLong();
        }
        byte[] b = new byte[64 << 20];
        r.nextBytes(b);
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        String[] names = {"one byte a step", "two bytes (FastCDC 2020)", "four bytes"};
        double[] best = new double[3];
        int[] count = new int[3];
        for (int round = 0; round < 16; round++) {
            for (int v = 0; v < 3; v++) {
                long t = mx.getCurrentThreadCpuTime();
                count[v] = v == 0 ? oneByte(b) : v == 1 ? twoBytes(b) : fourBytes(b);
                double rate = b.length / 1e6 / ((mx.getCurrentThreadCpuTime() - t) / 1e9);
                best[v] = Math.max(best[v], rate);
            }
        }
        for (int v = 0; v < 3; v++) {
            System.out.printf(Locale.ROOT, "%-26s best %,6.0f MB/s (thread CPU time), %d matches%n", names[v], best[v],
                    count[v]);
        }
        if (count[0] != count[1] || count[0] != count[2]) {
            throw new IllegalStateException("the variants disagree");
        }
    }
}
