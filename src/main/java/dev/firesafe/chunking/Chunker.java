package dev.firesafe.chunking;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * Content-defined chunking keyed by a secret: FastCDC's size rules (cut-point skipping below {@code min},
 * normalized chunking around {@code avg}, a hard cut at {@code max}) with a boundary test whose every parameter
 * comes from a 32-byte chunker secret via HKDF-SHA256 (see {@link ChunkerParams.Algorithm} and docs/chunking.md).
 *
 * <p>The same secret, parameters and bytes give the same chunks, whatever the read or write sizes. Each stream
 * (file) is chunked on its own: a stream shorter than {@code min} is a single chunk, the last chunk may be short,
 * and an empty stream has no chunk.
 *
 * <p>A {@code Chunker} is immutable and thread-safe; the {@link ChunkReader}s and {@link ChunkingOutputStream}s it
 * makes are not (one per thread, each reusable for any number of streams: they share the chunker's tables and
 * keep their buffers, so making one per file is wasteful).
 */
public final class Chunker {

    private final ChunkerParams params;
    private final Cutter template;

    private Chunker(ChunkerParams params, Cutter template) {
        this.params = params;
        this.template = template;
    }

    /**
     * A chunker for these parameters keyed by {@code secret}, 32 bytes that must be kept like a key: who has it can
     * predict every boundary. The secret is not retained (only what is derived from it).
     */
    public static Chunker create(byte[] secret, ChunkerParams params) {
        Objects.requireNonNull(params, "params");
        Cutter c = switch (params.algorithm()) {
            case GEAR_KEYED -> new GearCutter(params, secret);
            case TOEPLITZ_AES -> new ToeplitzAesCutter(params, secret);
        };
        return new Chunker(params, c);
    }

    public ChunkerParams params() {
        return params;
    }

    /** A reader with a read size of 1 MiB (buffer up to {@code max} + 1 MiB). */
    public ChunkReader newReader() {
        return newReader(1 << 20);
    }

    /** A reader whose buffer holds up to {@code max + readSize} bytes. */
    public ChunkReader newReader(int readSize) {
        return new ChunkReader(template.fresh(), readSize);
    }

    /** A push-style chunker that hands chunks to {@code sink}. */
    public ChunkingOutputStream newOutputStream(ChunkSink sink) {
        return new ChunkingOutputStream(template.fresh(), sink);
    }

    /**
     * Chunks all of {@code in} (not closed) into {@code sink}; convenience for one stream, since it makes a new
     * reader. Returns the stream's length.
     */
    public long chunk(InputStream in, ChunkSink sink) throws IOException {
        ChunkReader r = newReader().reset(in);
        long total = 0;
        while (r.next()) {
            sink.chunk(r.position(), r.buffer(), r.offset(), r.length());
            total += r.length();
        }
        return total;
    }

    /** Chunks {@code data[off, off+len)} as one stream, handing out views into {@code data} (no copy). */
    public void chunk(byte[] data, int off, int len, ChunkSink sink) throws IOException {
        Objects.checkFromIndexSize(off, len, data.length);
        Cutter c = template.fresh();
        long pos = 0;
        while (true) {
            int n = c.next(data, off, len, true);
            if (n == 0) {
                return;
            }
            sink.chunk(pos, data, off, n);
            pos += n;
            off += n;
            len -= n;
        }
    }

    /** The lengths of the chunks of {@code data[off, off+len)}, in order; for tests and measurements. */
    public int[] lengths(byte[] data, int off, int len) {
        Objects.checkFromIndexSize(off, len, data.length);
        Cutter c = template.fresh();
        int[] out = new int[16];
        int count = 0;
        while (true) {
            int n = c.next(data, off, len, true);
            if (n == 0) {
                return java.util.Arrays.copyOf(out, count);
            }
            if (count == out.length) {
                out = java.util.Arrays.copyOf(out, count * 2);
            }
            out[count++] = n;
            off += n;
            len -= n;
        }
    }
}
