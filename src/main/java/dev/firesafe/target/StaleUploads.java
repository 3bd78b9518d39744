package dev.firesafe.target;

import org.jboss.logging.Logger;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsRequest;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsResponse;
import software.amazon.awssdk.services.s3.model.MultipartUpload;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Aborts the multipart uploads a run left behind when it could not abort them itself: the server stopped, the
 * network went away or the process was killed mid-upload. Their parts are invisible to listings but are stored
 * (and billed) until aborted. Only uploads under the target's own prefix that started before a cut-off are
 * touched, so another host's backup that is still running is left alone.
 */
final class StaleUploads {

    private static final Logger LOG = Logger.getLogger(StaleUploads.class);

    private StaleUploads() {
    }

    /** Aborts what it can and returns the keys it aborted; a failure is logged, never thrown (it is housekeeping). */
    static List<String> sweep(S3Client s3, String bucket, String keyPrefix, Instant startedBefore, String where) {
        List<String> aborted = new ArrayList<>();
        try {
            for (ListMultipartUploadsResponse page : s3.listMultipartUploadsPaginator(
                    ListMultipartUploadsRequest.builder().bucket(bucket).prefix(keyPrefix).build())) {
                for (MultipartUpload u : page.uploads()) {
                    if (u.initiated() != null && u.initiated().isBefore(startedBefore)) {
                        s3.abortMultipartUpload(a -> a.bucket(bucket).key(u.key()).uploadId(u.uploadId()));
                        aborted.add(u.key());
                        LOG.infof("aborted the unfinished multipart upload of %s in %s, left since %s", u.key(),
                                where, u.initiated());
                    }
                }
            }
        } catch (SdkException e) {
            LOG.warnf("could not clean unfinished multipart uploads in %s: %s", where, e.getMessage());
        }
        return aborted;
    }
}
