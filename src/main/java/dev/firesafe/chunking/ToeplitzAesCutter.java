package dev.firesafe.chunking;

import javax.crypto.Cipher;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.SecretKeySpec;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.GeneralSecurityException;
import java.util.Arrays;

/**
 * The "hash-then-PRF" boundary test recommended by Truong, Merz, Scarlata, Günther and Paterson, "Breaking and
 * Fixing Content-Defined Chunking" (ACM CCS 2025, eprint 2025/558), inside FastCDC's size rules.
 *
 * <p>At every tested byte: {@code d} = a keyed universal hash of the last 64 bytes, then {@code c = AES-128_K(d)}
 * (d little-endian in bytes 0..7 of the block, zeros after), and the chunk ends when the low {@code avgBits + 2}
 * (strict, while the chunk is at most avg long) or {@code avgBits - 2} (loose, after) bits of c's first 8 bytes
 * (little-endian) are zero. Without K the decisions are pseudo-random, so observed boundaries give no equations
 * about the secrets; two windows with equal digests get equal decisions, which for distinct windows happens with
 * probability 2^-64.
 *
 * <p>The universal hash is Toeplitz (LFSR-based) hashing after Krawczyk (CRYPTO '94):
 * {@code d = sum_j x^(63-j) * T[b_j] mod P} over GF(2)[x], P = x^64 + x^4 + x^3 + x + 1 (irreducible; a test
 * checks it), T a secret table of 256 64-bit words. It rolls: {@code d' = d*x mod P ^ T[in] ^ U[out]} with
 * {@code U[v] = x^64 * T[v] mod P}. It is not a cryptographic primitive and needs no secrecy beyond T; the only
 * primitive here is AES, from the JDK's provider (AES-NI/VAES intrinsics where the CPU has them).
 *
 * <p>Digests for a run of bytes are computed first and encrypted together with one ECB call (each block is an
 * independent AES evaluation; ECB is simply the batched PRF), then tested; work past a found boundary is dropped.
 */
final class ToeplitzAesCutter extends Cutter {

    /** x^64 mod P = x^4 + x^3 + x + 1. */
    static final long POLY_LOW = 0x1BL;
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    /** Digests per AES call: 16 KiB of blocks in and out, well inside L1/L2. */
    private static final int BATCH = 1024;

    private final long[] t;
    private final long[] u;
    private final long strictMask;
    private final long looseMask;
    private final SecretKeySpec key;
    private final Cipher aes;
    private final byte[] blocks = new byte[BATCH * 16];
    private final byte[] out = new byte[BATCH * 16];

    ToeplitzAesCutter(ChunkerParams p, byte[] secret) {
        super(p);
        this.t = ChunkerKeys.table(secret, ChunkerParams.Algorithm.TOEPLITZ_AES, "toeplitz-table");
        this.u = new long[256];
        for (int v = 0; v < 256; v++) {
            long x = t[v];
            for (int i = 0; i < 64; i++) {
                x = mulX(x);
            }
            u[v] = x;
        }
        this.strictMask = (1L << (p.avgBits() + 2)) - 1;
        this.looseMask = (1L << (p.avgBits() - 2)) - 1;
        byte[] k = ChunkerKeys.derive(secret, ChunkerParams.Algorithm.TOEPLITZ_AES, "aes-128-key", 16);
        this.key = new SecretKeySpec(k, "AES");
        Arrays.fill(k, (byte) 0);
        this.aes = cipher(key);
    }

    /** A fresh cutter sharing this one's (read-only) tables, with its own Cipher. */
    private ToeplitzAesCutter(ToeplitzAesCutter o) {
        super(o.params);
        this.t = o.t;
        this.u = o.u;
        this.strictMask = o.strictMask;
        this.looseMask = o.looseMask;
        this.key = o.key;
        this.aes = cipher(key);
    }

    @Override
    Cutter fresh() {
        return new ToeplitzAesCutter(this);
    }

    private static Cipher cipher(SecretKeySpec key) {
        try {
            Cipher c = Cipher.getInstance("AES/ECB/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key);
            return c;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES is not available", e);
        }
    }

    /** d * x mod P. */
    static long mulX(long d) {
        return (d << 1) ^ ((d >> 63) & POLY_LOW);
    }

    @Override
    int scan(byte[] b, int start, int n) {
        int p = pos;
        long d = h;
        int warm = min - WARMUP;
        if (p < warm) {
            p = warm;
            d = 0;
        }
        long[] tt = t;
        // warm-up: the first 64 bytes of the window, nothing leaves it yet
        int e = min - 1;
        for (; p < e; p++) {
            d = mulX(d) ^ tt[b[start + p] & 0xff];
        }
        long[] uu = u;
        byte[] blk = blocks;
        while (p < n) {
            long mask = p < avg ? strictMask : looseMask;
            int end = Math.min(p < avg ? Math.min(avg, n) : n, p + BATCH);
            int cnt = end - p;
            int i = start + p;
            for (int j = 0; j < cnt; j++, i++) {
                d = mulX(d) ^ tt[b[i] & 0xff] ^ uu[b[i - 64] & 0xff];
                LONG_LE.set(blk, j << 4, d);
            }
            try {
                aes.update(blk, 0, cnt << 4, out, 0);
            } catch (ShortBufferException ex) {
                throw new IllegalStateException(ex);
            }
            byte[] o = out;
            for (int j = 0; j < cnt; j++) {
                if (((long) LONG_LE.get(o, j << 4) & mask) == 0) {
                    return p + j;
                }
            }
            p = end;
        }
        pos = p;
        h = d;
        return -1;
    }
}
