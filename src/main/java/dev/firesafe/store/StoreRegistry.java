package dev.firesafe.store;

import dev.firesafe.core.FiresafeException;

import java.io.Closeable;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The one place that maps a store address to its backend: an unknown scheme is refused with the list of known
 * ones. Every store it opens comes wrapped in the shared decorators (retries of reads, then logging), whatever its
 * backend. One registry per process; closing it releases the clients the backends share.
 */
public final class StoreRegistry implements Closeable {

    private final Map<String, StoreBackend> backends = new LinkedHashMap<>();
    private final RetryingStore.Policy retries;

    public StoreRegistry(List<StoreBackend> backends) {
        this(backends, RetryingStore.Policy.DEFAULT);
    }

    public StoreRegistry(List<StoreBackend> backends, RetryingStore.Policy retries) {
        for (StoreBackend b : backends) {
            this.backends.put(b.scheme(), b);
        }
        this.retries = retries;
    }

    /** The store at {@code uri}; the caller closes it when its run ends. */
    public Store open(String uri) {
        StoreUri parsed = StoreUri.parse(uri);
        Store store = backend(parsed).open(parsed);
        return new LoggingStore(new RetryingStore(store, retries));
    }

    /**
     * The name {@link Store#describe()} would give the store at {@code uri}, after checking its address and the
     * backend's settings; opens nothing, contacts nothing.
     */
    public String describe(String uri) {
        StoreUri parsed = StoreUri.parse(uri);
        return backend(parsed).check(parsed);
    }

    /** The folder of a local store; empty for every other scheme. */
    public static Optional<Path> localFolder(String uri) {
        return StoreUri.localFolder(uri);
    }

    private StoreBackend backend(StoreUri uri) {
        StoreBackend b = backends.get(uri.scheme());
        if (b == null) {
            throw FiresafeException.usage("unknown target scheme '" + uri.scheme() + "' in '" + uri.text()
                    + "'; known: " + known());
        }
        return b;
    }

    private String known() {
        return backends.values().stream().map(StoreBackend::form).collect(Collectors.joining(", "));
    }

    @Override
    public void close() {
        backends.values().forEach(StoreBackend::close);
    }
}
