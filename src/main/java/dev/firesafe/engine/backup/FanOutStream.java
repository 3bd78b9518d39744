package dev.firesafe.engine.backup;

import dev.firesafe.core.StoreIOException;
import dev.firesafe.core.IoMessages;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes the one encrypted stream to every target's upload. A target that fails is dropped with its error kept,
 * and the others go on: one dead target must not cost the backup on the rest. Only when every target has failed
 * does a write throw, which stops the pipeline early.
 */
final class FanOutStream extends OutputStream {

    /** One branch: the upload stream and, once it failed, why. */
    static final class Branch {
        final String target;
        final OutputStream out;
        String error;

        Branch(String target, OutputStream out) {
            this.target = target;
            this.out = out;
        }
    }

    private final List<Branch> branches;
    private long written;

    FanOutStream(List<Branch> branches) {
        this.branches = new ArrayList<>(branches);
    }

    long written() {
        return written;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        for (Branch branch : branches) {
            if (branch.error == null) {
                try {
                    branch.out.write(b, off, len);
                } catch (IOException e) {
                    branch.error = IoMessages.describe(e);
                }
            }
        }
        requireOneAlive();
        written += len;
    }

    @Override
    public void flush() throws IOException {
        for (Branch branch : branches) {
            if (branch.error == null) {
                try {
                    branch.out.flush();
                } catch (IOException e) {
                    branch.error = IoMessages.describe(e);
                }
            }
        }
        requireOneAlive();
    }

    /** Does not close the branches: each is closed by its own commit, which syncs it to storage first. */
    @Override
    public void close() throws IOException {
        flush();
    }

    private void requireOneAlive() throws IOException {
        if (branches.stream().allMatch(br -> br.error != null)) {
            throw new dev.firesafe.core.StoreIOException("every target failed: " + branches.get(0).target
                    + ": " + branches.get(0).error, null);
        }
    }
}
