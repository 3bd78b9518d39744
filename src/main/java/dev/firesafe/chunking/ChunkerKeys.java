package dev.firesafe.chunking;

import com.google.crypto.tink.subtle.Hkdf;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.security.GeneralSecurityException;
import java.util.Arrays;

/**
 * Everything secret a chunker uses, derived from the 32-byte chunker secret with HKDF-SHA256 (Tink's {@link Hkdf};
 * empty salt, RFC 5869) under one info string per purpose: {@code "firesafe/chunker/<algorithm id>/<purpose>"}. So
 * the two algorithms never share a table, and a table never doubles as a key.
 */
final class ChunkerKeys {

    static final int SECRET_BYTES = 32;
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /** Lowest and highest gear-hash bit a keyed mask may use; see {@link #gearMasks}. */
    static final int GEAR_MASK_LOW_BIT = 13;
    static final int GEAR_MASK_HIGH_BIT = 60;

    private ChunkerKeys() {
    }

    static byte[] derive(byte[] secret, ChunkerParams.Algorithm algorithm, String purpose, int size) {
        if (secret == null || secret.length != SECRET_BYTES) {
            throw new IllegalArgumentException("the chunker secret must be " + SECRET_BYTES + " bytes");
        }
        byte[] info = ("firesafe/chunker/" + algorithm.id() + "/" + purpose).getBytes(StandardCharsets.US_ASCII);
        try {
            return Hkdf.computeHkdf("HMACSHA256", secret, new byte[0], info, size);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HKDF-SHA256 is not available", e);
        }
    }

    /** 256 64-bit words (little-endian) from {@code purpose}. */
    static long[] table(byte[] secret, ChunkerParams.Algorithm algorithm, String purpose) {
        byte[] raw = derive(secret, algorithm, purpose, 256 * 8);
        long[] t = new long[256];
        for (int i = 0; i < 256; i++) {
            t[i] = (long) LONG_LE.get(raw, i * 8);
        }
        Arrays.fill(raw, (byte) 0);
        return t;
    }

    /**
     * The keyed masks and match value of the gear chunker: {@code strictBits} bit positions drawn without
     * replacement from bits {@value #GEAR_MASK_LOW_BIT}..{@value #GEAR_MASK_HIGH_BIT} of the gear hash by a keyed
     * shuffle; the loose mask is the first {@code looseBits} of the same draw (a subset of the strict one, as
     * normalized chunking needs). Bit j of the gear hash depends on the last j+1 bytes, so the lowest bit keeps a
     * window of at least 14 bytes; 48 candidate positions, as many as FastCDC's spread masks span.
     *
     * @return {strict mask, loose mask, 64-bit match value}
     */
    static long[] gearMasks(byte[] secret, int strictBits, int looseBits) {
        int n = GEAR_MASK_HIGH_BIT - GEAR_MASK_LOW_BIT + 1;
        if (strictBits > n || looseBits < 1 || looseBits > strictBits) {
            throw new IllegalArgumentException("mask bits out of range: " + strictBits + "/" + looseBits);
        }
        byte[] raw = derive(secret, ChunkerParams.Algorithm.GEAR_KEYED, "masks", 8 + 504);
        long target = (long) LONG_LE.get(raw, 0);
        int[] bits = new int[n];
        for (int i = 0; i < n; i++) {
            bits[i] = GEAR_MASK_LOW_BIT + i;
        }
        // Fisher-Yates with rejection sampling on the derived bytes (unbiased); 504 bytes suffice with
        // overwhelming probability (about 60 are used on average).
        int r = 8;
        for (int i = n - 1; i > 0; i--) {
            int bound = i + 1;
            int limit = 256 - (256 % bound);
            int v;
            do {
                if (r >= raw.length) {
                    throw new IllegalStateException("mask derivation ran out of bytes");
                }
                v = raw[r++] & 0xff;
            } while (v >= limit);
            int j = v % bound;
            int tmp = bits[i];
            bits[i] = bits[j];
            bits[j] = tmp;
        }
        Arrays.fill(raw, (byte) 0);
        long strict = 0;
        long loose = 0;
        for (int i = 0; i < strictBits; i++) {
            strict |= 1L << bits[i];
            if (i < looseBits) {
                loose |= 1L << bits[i];
            }
        }
        return new long[] {strict, loose, target};
    }
}
