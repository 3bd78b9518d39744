package dev.firesafe.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A store that passes every call to another: the base of the decorators (and of tests' counting stores), which
 * override what they change.
 */
public abstract class ForwardingStore implements Store {

    protected final Store store;

    protected ForwardingStore(Store store) {
        this.store = store;
    }

    @Override
    public String describe() {
        return store.describe();
    }

    @Override
    public Upload create(String name) throws IOException {
        return store.create(name);
    }

    @Override
    public List<StoredObject> list(String prefix) throws IOException {
        return store.list(prefix);
    }

    @Override
    public InputStream open(String name, long offset, long length) throws IOException {
        return store.open(name, offset, length);
    }

    @Override
    public void delete(String name) throws IOException {
        store.delete(name);
    }

    @Override
    public Optional<Path> localFolder() {
        return store.localFolder();
    }

    @Override
    public List<String> sweepPartials(String prefix) {
        return store.sweepPartials(prefix);
    }

    @Override
    public void close() {
        store.close();
    }
}
