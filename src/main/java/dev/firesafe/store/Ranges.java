package dev.firesafe.store;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** Ranged reads for backends whose server answers only whole objects (or whole parts): skip, then stop. */
public final class Ranges {

    private Ranges() {
    }

    /** {@code length} bytes ({@code -1}: all) of {@code in} after skipping {@code offset}; closes {@code in}. */
    public static InputStream slice(InputStream in, long offset, long length) throws IOException {
        try {
            in.skipNBytes(Math.max(0, offset));
        } catch (java.io.EOFException e) {
            return limit(in, 0); // past the end: nothing, as an HTTP server cuts a range at the end
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
        return length < 0 ? in : limit(in, length);
    }

    /** At most {@code length} bytes of {@code in}; closing it closes {@code in}. */
    public static InputStream limit(InputStream in, long length) {
        return new FilterInputStream(in) {
            private long left = length;

            @Override
            public int read() throws IOException {
                if (left <= 0) {
                    return -1;
                }
                int b = super.read();
                if (b >= 0) {
                    left--;
                }
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (left <= 0) {
                    return len == 0 ? 0 : -1;
                }
                int n = super.read(b, off, (int) Math.min(len, left));
                if (n > 0) {
                    left -= n;
                }
                return n;
            }

            @Override
            public long skip(long n) throws IOException {
                long skipped = super.skip(Math.min(n, left));
                left -= skipped;
                return skipped;
            }

            @Override
            public int available() throws IOException {
                return (int) Math.min(super.available(), left);
            }

            @Override
            public boolean markSupported() {
                return false;
            }
        };
    }
}
