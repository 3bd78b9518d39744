package dev.firesafe.chunking;

/**
 * FastCDC's boundary test (Xia et al., USENIX ATC 2016 / IEEE TPDS 2020) with keyed parameters.
 *
 * <p>Gear hash: {@code fp = (fp << 1) + G[byte]} over 64-bit words, so after 64 bytes {@code fp} depends only on the
 * last 64 bytes, bit j on the last j+1. Normalized chunking, level 2: a chunk of length L = k+1 ends after byte k
 * when {@code (fp & mask) == (match & mask)}, with a strict mask of {@code avgBits + 2} bits while {@code L <= avg}
 * and a loose one of {@code avgBits - 2} bits after; a chunk is cut at {@code max} in any case.
 *
 * <p>Keyed: {@code G}, the positions of the mask bits and the match value all come from the chunker secret
 * ({@link ChunkerKeys}).
 *
 * <p>Speed: the plain byte loop. HotSpot's C2 unrolls it and turns {@code (fp << 1) + G[b]} into one LEA, so
 * the dependency chain is one cycle a byte; the paper's "rolling two bytes" (and a four-byte variant that tested
 * shifted intermediate states) measured 10-35 % slower here (docs/chunking.md), so they were dropped.
 */
final class GearCutter extends Cutter {

    private final long[] gear;
    private final long strictMask;
    private final long strictMatch;
    private final long looseMask;
    private final long looseMatch;

    GearCutter(ChunkerParams p, byte[] secret) {
        super(p);
        this.gear = ChunkerKeys.table(secret, ChunkerParams.Algorithm.GEAR_KEYED, "gear-table");
        long[] m = ChunkerKeys.gearMasks(secret, p.avgBits() + 2, p.avgBits() - 2);
        this.strictMask = m[0];
        this.looseMask = m[1];
        this.strictMatch = m[2] & m[0];
        this.looseMatch = m[2] & m[1];
    }

    /** A fresh cutter sharing this one's (read-only) tables. */
    private GearCutter(GearCutter o) {
        super(o.params);
        this.gear = o.gear;
        this.strictMask = o.strictMask;
        this.looseMask = o.looseMask;
        this.strictMatch = o.strictMatch;
        this.looseMatch = o.looseMatch;
    }

    @Override
    Cutter fresh() {
        return new GearCutter(this);
    }

    @Override
    int scan(byte[] b, int start, int n) {
        int p = pos;
        long fp = h;
        int warm = min - WARMUP;
        if (p < warm) {
            p = warm;
            fp = 0;
        }
        long[] g = gear;
        // warm-up: fill the window, no test
        int e = min - 1;
        for (; p < e; p++) {
            fp = (fp << 1) + g[b[start + p] & 0xff];
        }
        // strict test while the chunk would be at most avg bytes long
        if (p < avg) {
            h = fp;
            int k = phase(b, start, p, Math.min(avg, n), strictMask, strictMatch);
            if (k >= 0) {
                return k;
            }
            p = pos;
            fp = h;
        }
        if (p < n) {
            h = fp;
            int k = phase(b, start, p, n, looseMask, looseMatch);
            if (k >= 0) {
                return k;
            }
            return -1;
        }
        pos = p;
        h = fp;
        return -1;
    }

    /**
     * Hashes and tests chunk bytes [p, end) starting from state {@link #h}; returns the first passing byte, or -1
     * with {@link #pos} = end and {@link #h} the state after byte end-1.
     */
    private int phase(byte[] b, int start, int p, int end, long mask, long match) {
        long[] g = gear;
        long fp = h;
        int stop = start + end;
        for (int i = start + p; i < stop; i++) {
            fp = (fp << 1) + g[b[i] & 0xff];
            if ((fp & mask) == match) {
                return i - start;
            }
        }
        pos = end;
        h = fp;
        return -1;
    }
}
