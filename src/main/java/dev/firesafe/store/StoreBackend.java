package dev.firesafe.store;

import java.io.Closeable;

/**
 * One kind of store, by URI scheme: local folders, S3, GitHub. A backend holds what its stores share in a process
 * (an SDK client, a REST client) and releases it in {@link #close()}. Registered with the {@link StoreRegistry},
 * which is the only place that knows every scheme.
 */
public interface StoreBackend extends Closeable {

    /** The URI scheme, lower case: {@code file}, {@code s3}, {@code github}. */
    String scheme();

    /** The address's form, for messages that list the known ones: {@code s3://BUCKET/PREFIX}. */
    String form();

    /**
     * Checks the address's syntax and this backend's settings without any I/O and returns the store's name as
     * {@link Store#describe()} will give it; a usage error names what is wrong.
     */
    String check(StoreUri uri);

    /** The store at {@code uri}; may contact nothing until first used. */
    Store open(StoreUri uri);

    @Override
    default void close() {
    }
}
