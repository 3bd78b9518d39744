package dev.firesafe.engine.restore;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Arrays;

/**
 * Writes a restored file with its runs of zeros left as holes ({@code restore --sparse}): a sparse VM image or
 * database file takes the room its data needs, not its full size, which can be what lets a restore fit on the
 * new disk. The content read back is the same. Whole blocks of zeros, aligned as the file system aligns them,
 * become holes, however the bytes arrive: a block split across two writes is put together first. Data is written
 * in runs as large as the caller's buffers, not block by block.
 */
final class SparseOutput extends OutputStream {

    static final int BLOCK = 4096;
    private static final byte[] ZEROS = new byte[BLOCK];

    private final FileChannel file;
    /** The start of a block: everything before it is written or a hole. */
    private long position;
    /** The first bytes of the block at {@link #position}, waiting for the rest. */
    private final byte[] carry = new byte[BLOCK];
    private int carried;
    private boolean endsInHole;

    SparseOutput(FileChannel file) {
        this.file = file;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        int end = off + len;
        int i = off;
        if (carried > 0) {
            int n = Math.min(BLOCK - carried, end - i);
            System.arraycopy(b, i, carry, carried, n);
            carried += n;
            i += n;
            if (carried < BLOCK) {
                return;
            }
            carried = 0;
            if (isZero(carry, 0)) {
                endsInHole = true;
            } else {
                writeAt(carry, 0, BLOCK, position);
            }
            position += BLOCK;
        }
        int runStart = i;
        long runPosition = position;
        for (; end - i >= BLOCK; i += BLOCK, position += BLOCK) {
            if (isZero(b, i)) {
                writeAt(b, runStart, i, runPosition);
                endsInHole = true;
                runStart = i + BLOCK;
                runPosition = position + BLOCK;
            }
        }
        writeAt(b, runStart, i, runPosition);
        carried = end - i;
        System.arraycopy(b, i, carry, 0, carried);
    }

    private static boolean isZero(byte[] b, int from) {
        return Arrays.mismatch(b, from, from + BLOCK, ZEROS, 0, BLOCK) < 0;
    }

    private void writeAt(byte[] b, int from, int to, long at) throws IOException {
        if (to <= from) {
            return;
        }
        ByteBuffer data = ByteBuffer.wrap(b, from, to - from);
        for (long p = at; data.hasRemaining(); ) {
            p += file.write(data, p);
        }
        endsInHole = false;
    }

    @Override
    public void close() throws IOException {
        try (file) {
            if (carried > 0) { // the file's last, partial block: written as it is
                writeAt(carry, 0, carried, position);
            } else if (endsInHole) { // a hole at the end is only a size: the last byte makes the file that long
                writeAt(new byte[1], 0, 1, position - 1);
            }
        }
    }
}
