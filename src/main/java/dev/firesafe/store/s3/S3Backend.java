package dev.firesafe.store.s3;

import dev.firesafe.core.Durations;
import dev.firesafe.core.FiresafeException;
import dev.firesafe.store.Store;
import dev.firesafe.store.StoreBackend;
import dev.firesafe.store.StoreUri;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ObjectLockMode;

import java.time.Duration;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * Buckets on AWS S3 or an S3-compatible server: {@code s3://BUCKET/PREFIX}. One SDK client serves every S3 store
 * of the process (it holds the connection pool and the credentials chain) and is closed with the backend.
 */
public final class S3Backend implements StoreBackend {

    private final S3Config config;
    private final UnaryOperator<String> env;
    private final Predicate<String> ownNames;
    private S3Client client;

    /**
     * @param env      stands in for the process environment (credentials, *_FILE variables); tests pass their own
     * @param ownNames the object names Firesafe writes: a store cleans up unfinished multipart uploads that killed
     *                 runs left behind, and aborts only uploads of such names, never those of other tools sharing
     *                 the bucket or prefix
     */
    public S3Backend(S3Config config, UnaryOperator<String> env, Predicate<String> ownNames) {
        this.config = config;
        this.env = env;
        this.ownNames = ownNames;
    }

    @Override
    public String scheme() {
        return "s3";
    }

    @Override
    public String form() {
        return "s3://BUCKET/PREFIX";
    }

    @Override
    public String check(StoreUri uri) {
        settings();
        return S3Location.parse(uri.text()).toString();
    }

    @Override
    public Store open(StoreUri uri) {
        S3Location location = S3Location.parse(uri.text());
        return new S3Store(client(), location, settings());
    }

    private synchronized S3Client client() {
        if (client == null) {
            client = S3Clients.build(config, env);
        }
        return client;
    }

    private S3Store.Settings settings() {
        if (config.partSize() < S3Store.MIN_PART_SIZE) {
            throw FiresafeException.usage("firesafe.s3.part-size must be at least " + S3Store.MIN_PART_SIZE
                    + " bytes (5 MiB, S3's minimum part size)");
        }
        ObjectLockMode mode = null;
        int days = 0;
        if (config.objectLockMode().isPresent() != config.objectLockDays().isPresent()) {
            throw FiresafeException.usage("set both firesafe.s3.object-lock-mode and firesafe.s3.object-lock-days,"
                    + " or neither");
        }
        if (config.objectLockMode().isPresent()) {
            String m = config.objectLockMode().get().trim().toUpperCase(Locale.ROOT);
            if (!m.equals("GOVERNANCE") && !m.equals("COMPLIANCE")) {
                throw FiresafeException.usage("firesafe.s3.object-lock-mode must be GOVERNANCE or COMPLIANCE");
            }
            mode = ObjectLockMode.fromValue(m);
            days = config.objectLockDays().get();
            if (days < 1) {
                throw FiresafeException.usage("firesafe.s3.object-lock-days must be at least 1");
            }
        }
        return new S3Store.Settings(config.partSize(), mode, days, staleUploadAge(), Math.max(1,
                config.partsInFlight()), ownNames, S3Clients.describeEndpoint(config));
    }

    /** 0 sweeps every unfinished backup upload under the prefix: only for a prefix one host alone backs up to. */
    private Duration staleUploadAge() {
        String text = config.staleUploadAge().strip();
        return text.matches("0[smhd]?") ? Duration.ZERO : Durations.parse("firesafe.s3.stale-upload-age", text);
    }

    @Override
    public synchronized void close() {
        if (client != null) {
            client.close();
            client = null;
        }
    }
}
