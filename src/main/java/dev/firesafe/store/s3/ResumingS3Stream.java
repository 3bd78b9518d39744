package dev.firesafe.store.s3;

import org.jboss.logging.Logger;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * GetObject that survives a dropped connection: it counts the bytes delivered and, when the stream fails or ends
 * early, asks again for the rest with a ranged GET pinned to the same object version (If-Match on the ETag), a
 * bounded number of times. A multi-gigabyte restore over a home uplink should not start over for one reset.
 */
final class ResumingS3Stream extends InputStream {

    private static final Logger LOG = Logger.getLogger(ResumingS3Stream.class);
    static final int MAX_RESUMES = 5;

    private final S3Client s3;
    private final String bucket;
    private final String key;
    private final String eTag;
    /** Where the range starts in the object; positions below count from here. */
    private final long start;
    private final long length;
    private ResponseInputStream<GetObjectResponse> in;
    private long position;
    private int resumes;

    /** The object from {@code start}, {@code length} bytes of it ({@code -1}: to its end), as S3 Range reads. */
    ResumingS3Stream(S3Client s3, String bucket, String key, long start, long length) throws IOException {
        this.s3 = s3;
        this.bucket = bucket;
        this.key = key;
        this.start = start;
        this.in = s3.getObject(g -> {
            g.bucket(bucket).key(key);
            if (start > 0 || length >= 0) {
                g.range(range(start, length));
            }
        });
        this.eTag = in.response().eTag();
        this.length = in.response().contentLength() == null ? -1 : in.response().contentLength();
        if (start > 0) {
            checkRangeHonoured(null);
        }
    }

    /** An HTTP byte range: {@code bytes=FIRST-LAST} (inclusive), or {@code bytes=FIRST-} to the end. */
    private static String range(long first, long length) {
        return "bytes=" + first + "-" + (length >= 0 ? String.valueOf(first + Math.max(length, 1) - 1) : "");
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (true) {
            IOException failure;
            try {
                int n = in.read(b, off, len);
                if (n > 0) {
                    position += n;
                    return n;
                }
                if (length < 0 || position >= length) {
                    return -1;
                }
                failure = new EOFException("connection closed after " + position + " of " + length + " bytes");
            } catch (IOException e) {
                failure = e;
            } catch (SdkException e) {
                failure = new IOException(e.getMessage(), e);
            }
            resume(failure);
        }
    }

    private void resume(IOException failure) throws IOException {
        if (length < 0 || resumes >= MAX_RESUMES) {
            throw failure;
        }
        resumes++;
        LOG.infof("reading %s: %s; resuming at byte %d (attempt %d of %d)", key, failure.getMessage(), position,
                resumes, MAX_RESUMES);
        in.abort();
        try {
            in = s3.getObject(g -> {
                g.bucket(bucket).key(key).range(range(start + position, length < 0 ? -1 : length - position));
                if (eTag != null) {
                    g.ifMatch(eTag);
                }
            });
        } catch (SdkException e) {
            IOException gaveUp = new IOException("connection lost at byte " + position + " and resuming failed: "
                    + e.getMessage(), e);
            gaveUp.addSuppressed(failure);
            throw gaveUp;
        }
        checkRangeHonoured(failure);
    }

    /**
     * A server or proxy that ignores Range answers the whole object from byte 0; spliced in, those bytes would make
     * an intact backup fail decryption as if it had been tampered with. (From byte 0 that is what we want.)
     */
    private void checkRangeHonoured(IOException failure) throws IOException {
        long first = start + position;
        String range = in.response().contentRange();
        if (first > 0 && (range == null || !range.startsWith("bytes " + first + "-"))) {
            in.abort();
            IOException ignored = new IOException((failure == null ? "reading from byte " + first
                    : "connection lost at byte " + first + " and the resumed download") + " did not start there (the"
                    + " server or a proxy ignored the range; answered "
                    + (range == null ? "no Content-Range" : "'" + range + "'") + ")");
            if (failure != null) {
                ignored.addSuppressed(failure);
            }
            throw ignored;
        }
    }

    @Override
    public void close() {
        if (position < length) {
            in.abort(); // do not download the rest just to close the connection cleanly
        } else {
            try {
                in.close();
            } catch (IOException e) {
                LOG.debugf("closing %s: %s", key, e.getMessage());
            }
        }
    }
}
