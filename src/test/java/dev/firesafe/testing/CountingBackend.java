package dev.firesafe.testing;

import dev.firesafe.store.ForwardingStore;
import dev.firesafe.store.Store;
import dev.firesafe.store.StoreBackend;
import dev.firesafe.store.StoreUri;
import dev.firesafe.store.local.LocalBackend;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The local backend, counting what a registry asks of it: stores opened, stores closed, and whether the backend
 * itself was closed (where a real backend releases the clients its stores share). Everything else is the local
 * backend's own behaviour.
 */
public final class CountingBackend implements StoreBackend {

    private final LocalBackend local = new LocalBackend();
    private final AtomicInteger opened = new AtomicInteger();
    private final AtomicInteger closed = new AtomicInteger();
    private final AtomicInteger backendClosed = new AtomicInteger();

    public int opened() {
        return opened.get();
    }

    public int closed() {
        return closed.get();
    }

    /** How often the backend itself was closed. */
    public int backendClosed() {
        return backendClosed.get();
    }

    @Override
    public String scheme() {
        return local.scheme();
    }

    @Override
    public String form() {
        return local.form();
    }

    @Override
    public String check(StoreUri uri) {
        return local.check(uri);
    }

    @Override
    public Store open(StoreUri uri) {
        opened.incrementAndGet();
        Store in = local.open(uri);
        return new ForwardingStore(in) {
            private boolean closedOnce;

            @Override
            public synchronized void close() {
                if (!closedOnce) { // Closeable: a second close is allowed and does nothing
                    closedOnce = true;
                    closed.incrementAndGet();
                }
                in.close();
            }
        };
    }

    @Override
    public void close() {
        backendClosed.incrementAndGet();
        local.close();
    }
}
