package dev.firesafe.store.s3;

import dev.firesafe.core.FiresafeException;

/**
 * {@code s3://BUCKET/PREFIX}: the bucket and the key prefix (no leading or trailing '/', may be empty) under which
 * objects are stored as {@code PREFIX/NAME}.
 */
public record S3Location(String bucket, String prefix) {

    static S3Location parse(String uri) {
        String rest = uri.substring("s3://".length());
        int slash = rest.indexOf('/');
        String bucket = slash < 0 ? rest : rest.substring(0, slash);
        String prefix = slash < 0 ? "" : rest.substring(slash + 1);
        // Bucket names are 3-63 lower-case letters, digits, dots and hyphens; '@' would be user info (credentials
        // do not belong in a URI that is printed in every message).
        if (!bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
            throw FiresafeException.usage("bad S3 target: use s3://BUCKET/PREFIX with a valid bucket name "
                    + "(credentials come from the environment, never from the URI)");
        }
        while (prefix.startsWith("/")) {
            prefix = prefix.substring(1);
        }
        while (prefix.endsWith("/")) {
            prefix = prefix.substring(0, prefix.length() - 1);
        }
        return new S3Location(bucket, prefix);
    }

    String key(String name) {
        return prefix.isEmpty() ? name : prefix + "/" + name;
    }

    /** The prefix every key of this location starts with ("" or "PREFIX/"). */
    String keyPrefix() {
        return prefix.isEmpty() ? "" : prefix + "/";
    }

    @Override
    public String toString() {
        return "s3://" + bucket + (prefix.isEmpty() ? "" : "/" + prefix);
    }
}
