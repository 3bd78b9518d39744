package dev.firesafe.repository.format;

import com.github.luben.zstd.Zstd;
import dev.firesafe.archive.Compression;

import java.io.IOException;

/**
 * A block is the unit that is compressed and read back: one or more consecutive chunks (small files packed
 * together compress better and cost one read), or a page of tree or index entries. Its bytes: a codec byte
 * ({@link #STORED}, {@link #ZSTD} or {@link #DEFLATE} for plans that ask for gzip), the raw length as a varint,
 * then the payload. Content that zstd does not
 * shrink is stored as it is, so incompressible data (photos, encrypted vaults) costs no decompression.
 */
public final class Blocks {

    static final byte STORED = 0;
    static final byte ZSTD = 1;
    static final byte DEFLATE = 2;
    /** A block's content is at most this large; larger chunks are refused before they get here. */
    public static final int MAX_RAW = 16 << 20;

    private Blocks() {
    }

    /** The stored form of {@code length} bytes of {@code raw}, compressed with zstd at {@code level}. */
    public static byte[] encode(byte[] raw, int length, int level) {
        return encode(raw, length, Compression.ZSTD, level);
    }

    /** The most bytes {@link #encode(byte[], int, Compression, int, byte[])} writes for {@code length} raw bytes. */
    public static int maxEncoded(int length) {
        return 6 + (int) Math.max(Zstd.compressBound(length), length + 64L);
    }

    /**
     * Encodes into {@code out} (at least {@link #maxEncoded} long) and returns the encoded length: the pipeline
     * reuses its buffers, since a block-sized array per block would be garbage the size of the data.
     */
    public static int encode(byte[] raw, int length, Compression compression, int level, byte[] out) {
        if (length > MAX_RAW) {
            throw new IllegalArgumentException("block of " + length + " bytes");
        }
        if (compression == Compression.ZSTD) {
            int h = putHeader(out, ZSTD, length);
            long n = Zstd.compressByteArray(out, h, out.length - h, raw, 0, length, level);
            if (Zstd.isError(n)) {
                throw new IllegalStateException("zstd: " + Zstd.getErrorName(n));
            }
            if (n < length) {
                return h + (int) n;
            }
        } else if (compression == Compression.GZIP) {
            byte[] d = deflated(raw, length, level);
            System.arraycopy(d, 0, out, 0, d.length);
            return d.length;
        }
        int h = putHeader(out, STORED, length);
        System.arraycopy(raw, 0, out, h, length);
        return h + length;
    }

    /**
     * Encodes {@code length} bytes of the direct buffer {@code raw} (from 0) into the direct buffer {@code out}
     * (from 0, at least {@link #maxEncoded} long) and returns the encoded length. Off the heap: a backup keeps a
     * few block-sized buffers for its whole run, which on a small heap would be "humongous" objects (G1) filling
     * regions of their own.
     */
    public static int encode(java.nio.ByteBuffer raw, int length, Compression compression, int level,
                             java.nio.ByteBuffer out) {
        if (length > MAX_RAW) {
            throw new IllegalArgumentException("block of " + length + " bytes");
        }
        if (compression == Compression.ZSTD) {
            byte[] h = header(ZSTD, length);
            out.put(0, h);
            long n = Zstd.compressDirectByteBuffer(out, h.length, out.capacity() - h.length, raw, 0, length, level);
            if (Zstd.isError(n)) {
                throw new IllegalStateException("zstd: " + Zstd.getErrorName(n));
            }
            if (n < length) {
                return h.length + (int) n;
            }
        } else if (compression == Compression.GZIP) {
            byte[] plain = new byte[length];
            raw.get(0, plain);
            byte[] d = deflated(plain, length, level);
            out.put(0, d);
            return d.length;
        }
        byte[] h = header(STORED, length);
        out.put(0, h);
        out.put(h.length, raw, 0, length);
        return h.length + length;
    }

    private static int putHeader(byte[] out, byte codec, int length) {
        byte[] h = header(codec, length);
        System.arraycopy(h, 0, out, 0, h.length);
        return h.length;
    }

    /**
     * The stored form of {@code length} bytes of {@code raw}, compressed as the plan says ({@code level}: zstd
     * 1-19, gzip 1-9) if that makes it smaller, else as it is.
     */
    public static byte[] encode(byte[] raw, int length, Compression compression, int level) {
        if (length > MAX_RAW) {
            throw new IllegalArgumentException("block of " + length + " bytes");
        }
        if (compression == Compression.NONE) {
            return stored(raw, length);
        }
        if (compression == Compression.GZIP) {
            return deflated(raw, length, level);
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
        return stored(raw, length);
    }

    private static byte[] deflated(byte[] raw, int length, int level) {
        java.util.zip.Deflater deflater = new java.util.zip.Deflater(Math.max(1, Math.min(9, level)), true);
        try {
            deflater.setInput(raw, 0, length);
            deflater.finish();
            byte[] header = header(DEFLATE, length);
            byte[] out = new byte[header.length + length + 64];
            System.arraycopy(header, 0, out, 0, header.length);
            int n = header.length;
            while (!deflater.finished() && n < out.length) {
                n += deflater.deflate(out, n, out.length - n);
            }
            return deflater.finished() && n - header.length < length ? java.util.Arrays.copyOf(out, n)
                    : stored(raw, length);
        } finally {
            deflater.end();
        }
    }

    private static byte[] stored(byte[] raw, int length) {
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
        byte[] out = new byte[contentLength(block, length, what)];
        decodeInto(block, length, what, out);
        return out;
    }

    /** How many bytes the block's content has, as its header says (checked against {@link #MAX_RAW}). */
    public static int contentLength(byte[] block, int length, String what) throws IOException {
        return (int) header(block, length, what)[1];
    }

    /** [header length, content length] */
    private static long[] header(byte[] block, int length, String what) throws IOException {
        if (length < 2) {
            throw new IOException(what + ": block too short");
        }
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
        return new long[] {i, raw};
    }

    /**
     * Decodes a stored block into {@code out}, which must hold {@link #contentLength} bytes (a restore reuses one
     * buffer: a block-sized array per block would be garbage the size of the data); returns that length.
     */
    public static int decodeInto(byte[] block, int length, String what, byte[] out) throws IOException {
        long[] h = header(block, length, what);
        int i = (int) h[0];
        int raw = (int) h[1];
        byte codec = block[0];
        if (out.length < raw) {
            throw new IllegalArgumentException("buffer of " + out.length + " for " + raw + " bytes");
        }
        if (codec == STORED) {
            if (length - i != raw) {
                throw new IOException(what + ": stored block of " + (length - i) + " bytes claims " + raw);
            }
            System.arraycopy(block, i, out, 0, raw);
            return raw;
        }
        if (codec == DEFLATE) {
            java.util.zip.Inflater inflater = new java.util.zip.Inflater(true);
            try {
                inflater.setInput(block, i, length - i);
                int n = 0;
                while (n < raw && !inflater.finished()) {
                    int got = inflater.inflate(out, n, raw - n);
                    if (got == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                        break;
                    }
                    n += got;
                }
                if (n != raw) {
                    throw new IOException(what + ": block does not inflate to its " + raw + " bytes");
                }
                return raw;
            } catch (java.util.zip.DataFormatException e) {
                throw new IOException(what + ": damaged deflate block");
            } finally {
                inflater.end();
            }
        }
        if (codec != ZSTD) {
            throw new IOException(what + ": unknown block codec " + codec);
        }
        long n = Zstd.decompressByteArray(out, 0, raw, block, i, length - i);
        if (Zstd.isError(n) || n != raw) {
            throw new IOException(what + ": block does not decompress to its " + raw + " bytes");
        }
        return raw;
    }
}
