package dev.firesafe.chunking;

/**
 * The boundary search of one stream, resumable: it is handed the bytes of the current chunk as they arrive (always
 * from the chunk's first byte, at whatever array index that now sits) and remembers how far it has hashed, so no
 * byte is hashed twice however the data is cut into reads.
 *
 * <p>Positions are relative to the chunk start. The hash warms up on bytes {@code [min-65, min-1)} without a test,
 * so that at the first tested byte ({@code min-1}, a chunk of {@code min} bytes) the 64-byte window is full; bytes
 * before {@code min-65} are never read (FastCDC's cut-point skipping). Byte {@code k} is tested with the strict mask
 * while {@code k+1 <= avg} and the loose mask after; a chunk that reaches {@code max} bytes is cut there. So the
 * decision at any byte depends only on the 64 bytes ending there, and on nothing else but the chunk's start.
 *
 * <p>Not thread-safe; one per stream in progress, reusable after {@link #reset()}.
 */
abstract class Cutter {

    /** Bytes of hash warm-up before the first tested byte: the 64-byte window plus one. */
    static final int WARMUP = 65;

    final ChunkerParams params;
    final int min;
    final int avg;
    final int max;
    /** Next byte (relative to the chunk start) to hash. */
    int pos;
    /** Hash state after byte {@code pos - 1}. */
    long h;

    Cutter(ChunkerParams p) {
        this.params = p;
        this.min = p.min();
        this.avg = p.avg();
        this.max = p.max();
    }

    /** A new cutter with the same parameters and keys, sharing the read-only tables, in the start state. */
    abstract Cutter fresh();

    /** Forgets the chunk in progress: the next call starts a new chunk. */
    final void reset() {
        pos = 0;
        h = 0;
    }

    /**
     * The length of the chunk that starts at {@code buf[start]}, of which {@code avail} bytes are present.
     *
     * @param eof true when no byte follows {@code avail}: then the chunk ends at the latest there
     * @return the chunk's length (1..max), 0 when {@code eof} and nothing is left, or -1 when more bytes are needed
     *         (only when {@code avail < max} and not {@code eof}); after a length or 0 the next call starts anew
     */
    final int next(byte[] buf, int start, int avail, boolean eof) {
        int n = Math.min(avail, max);
        if (n < min) {
            if (eof) {
                reset();
                return n;
            }
            return -1;
        }
        int k = scan(buf, start, n);
        if (k >= 0) {
            reset();
            return k + 1;
        }
        if (n == max || eof) {
            reset();
            return n;
        }
        return -1;
    }

    /**
     * Hashes from {@link #pos} up to (excluding) chunk byte {@code n} ({@code min <= n <= max}) and returns the index
     * of the first byte whose test passes, or -1 with {@link #pos} = n and {@link #h} saved.
     */
    abstract int scan(byte[] buf, int start, int n);
}
