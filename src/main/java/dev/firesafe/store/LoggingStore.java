package dev.firesafe.store;

import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Logs every store operation at DEBUG with its duration ({@code quarkus.log.category."dev.firesafe.store".level=
 * DEBUG}): what a slow or failing backup did against which store, without a debugger. Names of objects are shown;
 * they hold plan names and ids, never secrets.
 */
final class LoggingStore extends ForwardingStore {

    private static final Logger LOG = Logger.getLogger(LoggingStore.class);


    LoggingStore(Store store) {
        super(store);
    }

    @Override
    public Upload create(String name) throws IOException {
        long t0 = System.nanoTime();
        Upload upload = store.create(name);
        log("create", name, t0);
        return upload;
    }

    @Override
    public List<StoredObject> list(String prefix) throws IOException {
        long t0 = System.nanoTime();
        List<StoredObject> found = store.list(prefix);
        if (LOG.isDebugEnabled()) {
            LOG.debugf("%s: list '%s': %d objects in %d ms", describe(), prefix, found.size(), millisSince(t0));
        }
        return found;
    }

    @Override
    public InputStream open(String name, long offset, long length) throws IOException {
        long t0 = System.nanoTime();
        InputStream in = store.open(name, offset, length);
        log("open [" + offset + ", " + (length < 0 ? "end" : String.valueOf(offset + length)) + ")", name, t0);
        return in;
    }

    @Override
    public void delete(String name) throws IOException {
        long t0 = System.nanoTime();
        store.delete(name);
        log("delete", name, t0);
    }

    private void log(String what, String name, long t0) {
        if (LOG.isDebugEnabled()) {
            LOG.debugf("%s: %s %s in %d ms", describe(), what, name, millisSince(t0));
        }
    }

    private static long millisSince(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }
}
