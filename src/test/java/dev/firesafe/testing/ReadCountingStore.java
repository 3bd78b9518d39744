package dev.firesafe.testing;

import dev.firesafe.store.Store;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** A store that counts the bytes read from each object: what a check or a prune really fetches. */
public final class ReadCountingStore implements Store {

    private final Store in;
    private final Map<String, Long> read = new ConcurrentHashMap<>();

    public ReadCountingStore(Store in) {
        this.in = in;
    }

    /** Bytes read from {@code name} so far. */
    public long read(String name) {
        return read.getOrDefault(name, 0L);
    }

    /** Bytes read from every object so far. */
    public long total() {
        return read.values().stream().mapToLong(Long::longValue).sum();
    }

    @Override
    public String toString() {
        return read.toString();
    }

    @Override
    public String describe() {
        return in.describe();
    }

    @Override
    public Upload create(String name) throws IOException {
        return in.create(name);
    }

    @Override
    public List<StoredObject> list(String prefix) throws IOException {
        return in.list(prefix);
    }

    @Override
    public InputStream open(String name, long offset, long length) throws IOException {
        return new FilterInputStream(in.open(name, offset, length)) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    read.merge(name, 1L, Long::sum);
                }
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n > 0) {
                    read.merge(name, (long) n, Long::sum);
                }
                return n;
            }
        };
    }

    @Override
    public void delete(String name) throws IOException {
        in.delete(name);
    }
}
