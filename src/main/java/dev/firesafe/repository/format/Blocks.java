package dev.firesafe.repository.format;

import com.github.luben.zstd.Zstd;

import java.io.IOException;

/**
 * A block is the unit that is compressed and read back: one or more consecutive chunks (small files packed
 * together compress better and cost one read), or a page of tree or index entries. Its bytes: a codec byte
 * ({@link #STORED} or {@link #ZSTD}), the raw length as a varint, then the payload. Content that zstd does not
 * shrink is stored as it is, so incompressible data (photos, encrypted vaults) costs no decompression.
 */
public final class Blocks {

    static final byte STORED = 0;
    static final byte ZSTD = 1;
    /** A block's content is at most this large; larger chunks are refused before they get here. */
    public static final int MAX_RAW = 16 << 20;

    private Blocks() {
    }

    /** The stored form of {@code length} bytes of {@code raw}, compressed at zstd {@code level} if that helps. */
    public static byte[] encode(byte[] raw, int length, int level) {
        if (length > MAX_RAW) {
            throw new IllegalArgumentException("block of " + length + " bytes");
        }
        byte[] header = header(ZSTD, length);
        byte[] out = new byte[header.length + (int) Zstd.compressBound(length)];
        System.arraycopy(header, 0, out, 0, header.length);
        long n = Zstd.compressByteArray(out, header.length, out.length - header.length, raw, 0, length, level);
        if (Zstd.isError(n)) {
            throw new IllegalStateException("zstd: " + Zstd.getErrorName(n));
        }
        if (n < length) {
            return java.util.Arrays.copyOf(out, header.length + (int) n);
        }
        byte[] stored = header(STORED, length);
        byte[] plain = java.util.Arrays.copyOf(stored, stored.length + length);
        System.arraycopy(raw, 0, plain, stored.length, length);
        return plain;
    }

    private static byte[] header(byte codec, int length) {
        byte[] h = new byte[6];
        h[0] = codec;
        int i = 1;
        long v = length;
        while ((v & ~0x7FL) != 0) {
            h[i++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        h[i++] = (byte) v;
        return java.util.Arrays.copyOf(h, i);
    }

    /** The content of a stored block; a damaged one is an IOException naming {@code what}. */
    public static byte[] decode(byte[] block, int length, String what) throws IOException {
        if (length < 2) {
            throw new IOException(what + ": block too short");
        }
        byte codec = block[0];
        long raw = 0;
        int i = 1;
        for (int shift = 0; ; shift += 7) {
            if (i >= length || shift > 28) {
                throw new IOException(what + ": malformed block header");
            }
            int b = block[i++] & 0xff;
            raw |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                break;
            }
        }
        if (raw > MAX_RAW) {
            throw new IOException(what + ": block claims " + raw + " bytes");
        }
        byte[] out = new byte[(int) raw];
        if (codec == STORED) {
            if (length - i != raw) {
                throw new IOException(what + ": stored block of " + (length - i) + " bytes claims " + raw);
            }
            System.arraycopy(block, i, out, 0, (int) raw);
            return out;
        }
        if (codec != ZSTD) {
            throw new IOException(what + ": unknown block codec " + codec);
        }
        long n = Zstd.decompressByteArray(out, 0, out.length, block, i, length - i);
        if (Zstd.isError(n) || n != raw) {
            throw new IOException(what + ": block does not decompress to its " + raw + " bytes");
        }
        return out;
    }
}
