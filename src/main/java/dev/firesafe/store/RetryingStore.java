package dev.firesafe.store;

import dev.firesafe.core.StoreIOException;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Asks a store again when a read failed transiently ({@link StoreIOException#transientFailure()}): listing,
 * opening and deleting are idempotent, so a second attempt can only help. Uploads are not retried here: their bytes
 * stream once from the pipeline and cannot be replayed; backends retry their own parts (S3 parts, GitHub requests),
 * and a failed upload leaves the previous backup the latest.
 */
public final class RetryingStore extends ForwardingStore {

    private static final Logger LOG = Logger.getLogger(RetryingStore.class);

    /** Attempts in all, and the wait before the second one (doubling after). */
    public record Policy(int attempts, Duration firstWait, Sleeper sleeper) {
        public static final Policy DEFAULT = new Policy(3, Duration.ofSeconds(1), Sleeper.REAL);
        public static final Policy NONE = new Policy(1, Duration.ZERO, Sleeper.REAL);
    }

    /** How a retry waits: tests record instead of sleeping. */
    @FunctionalInterface
    public interface Sleeper {
        Sleeper REAL = Thread::sleep;

        void sleep(long millis) throws InterruptedException;
    }

    @FunctionalInterface
    private interface Call<T> {
        T run() throws IOException;
    }

    private final Policy policy;

    RetryingStore(Store store, Policy policy) {
        super(store);
        this.policy = policy;
    }

    @Override
    public List<StoredObject> list(String prefix) throws IOException {
        return retried("list", () -> store.list(prefix));
    }

    @Override
    public InputStream open(String name, long offset, long length) throws IOException {
        return retried("open " + name, () -> store.open(name, offset, length));
    }

    @Override
    public void delete(String name) throws IOException {
        retried("delete " + name, () -> {
            store.delete(name);
            return null;
        });
    }

    private <T> T retried(String what, Call<T> call) throws IOException {
        long wait = policy.firstWait().toMillis();
        for (int attempt = 1; ; attempt++) {
            try {
                return call.run();
            } catch (StoreIOException e) {
                if (!e.transientFailure() || attempt >= policy.attempts()) {
                    throw e;
                }
                LOG.infof("%s on %s failed (%s); asking again in %d ms (attempt %d of %d)", what, describe(),
                        e.getMessage(), wait, attempt + 1, policy.attempts());
                try {
                    policy.sleeper().sleep(wait);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    InterruptedIOException stopped = new InterruptedIOException("interrupted while waiting to retry");
                    stopped.addSuppressed(e);
                    throw stopped;
                }
                wait *= 2;
            }
        }
    }
}
