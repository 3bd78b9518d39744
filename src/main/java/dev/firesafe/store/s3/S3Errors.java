package dev.firesafe.store.s3;

import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.util.Set;

/**
 * Turns SDK exceptions into one-line reasons a person can act on, and says which are worth asking again
 * ({@link dev.firesafe.store.StoreErrors} frames them). SDK messages name the service, status and request id,
 * never credentials; still, only the parts chosen here are shown.
 */
final class S3Errors {
    private S3Errors() {
    }

    private static final Set<String> DENIED = Set.of("AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch",
            "InvalidToken", "ExpiredToken", "AllAccessDisabled", "AccountProblem");

    /**
     * A server error (5xx) or a connection that timed out or was reset mid-way: worth asking again (the SDK has
     * already retried within the request). A refused connection, missing credentials or a 4xx are not.
     */
    static boolean isTransient(SdkException e) {
        if (e instanceof S3Exception s3) {
            return s3.statusCode() >= 500;
        }
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof java.net.SocketTimeoutException
                    || c instanceof java.net.SocketException && String.valueOf(c.getMessage()).contains("reset")) {
                return true;
            }
        }
        return false;
    }

    static String reason(SdkException e, String bucket, String endpoint) {
        if (e instanceof S3Exception s3) {
            String code = s3.awsErrorDetails() == null ? null : s3.awsErrorDetails().errorCode();
            int status = s3.statusCode();
            if ("NoSuchBucket".equals(code)) {
                return "bucket '" + bucket + "' does not exist at " + endpoint;
            }
            if (status == 403 || (code != null && DENIED.contains(code))) {
                return "access denied (check credentials and the bucket's permissions)"
                        + (code == null ? "" : " [" + code + "]");
            }
            if (status == 404 && code == null) {
                // HEAD responses have no body, so no error code: a 404 on HeadBucket is a missing bucket.
                return "not found (HTTP 404)";
            }
            String message = s3.awsErrorDetails() == null ? null : s3.awsErrorDetails().errorMessage();
            return "HTTP " + status + (code == null ? "" : " " + code) + (message == null ? "" : ": " + message);
        }
        if (e instanceof SdkClientException) {
            String m = e.getMessage() == null ? "" : e.getMessage();
            if (m.contains("Unable to load credentials")) {
                return "no S3 credentials found (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, their _FILE "
                        + "variants, or an AWS profile)";
            }
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            String rootMessage = root.getMessage() == null ? root.getClass().getSimpleName()
                    : root.getClass().getSimpleName() + ": " + root.getMessage();
            return "cannot reach " + endpoint + " (" + rootMessage + ")";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
