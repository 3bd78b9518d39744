package dev.firesafe.store.s3;

import org.jboss.logging.Logger;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsRequest;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsResponse;
import software.amazon.awssdk.services.s3.model.MultipartUpload;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Aborts the multipart uploads a run left behind when it could not abort them itself: the server stopped, the
 * network went away or the process was killed mid-upload. Their parts are invisible to listings but are stored
 * (and billed) until aborted. Only uploads under the target's own prefix, of a name Firesafe writes, that started
 * before a cut-off are touched: another host's backup that is still running, and other tools' uploads sharing the
 * bucket or prefix (a days-long rclone copy), are left alone.
 */
final class StaleUploads {

    private static final Logger LOG = Logger.getLogger(StaleUploads.class);

    private StaleUploads() {
    }

    /**
     * Aborts what it can and returns the keys it aborted; a failure is logged, never thrown (it is housekeeping).
     * {@code ownName} tells a target name (the key without {@code keyPrefix}) that Firesafe writes.
     */
    static List<String> sweep(S3Client s3, String bucket, String keyPrefix, Predicate<String> ownName,
                              Instant startedBefore, String where) {
        List<String> aborted = new ArrayList<>();
        try {
            for (ListMultipartUploadsResponse page : s3.listMultipartUploadsPaginator(
                    ListMultipartUploadsRequest.builder().bucket(bucket).prefix(keyPrefix).build())) {
                for (MultipartUpload u : page.uploads()) {
                    if (u.initiated() != null && u.initiated().isBefore(startedBefore)
                            && ownName.test(u.key().substring(keyPrefix.length()))) {
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
