package dev.firesafe.store;

import dev.firesafe.core.StoreIOException;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Where encrypted objects are kept: a folder, a bucket prefix, a repository path. Names are relative,
 * '/'-separated keys such as {@code default/20261124T161550.123Z-1a2b3c4d.firesafe}; a store knows nothing of
 * plans or formats (the repository layer does).
 *
 * <p>Contract every implementation states and keeps:
 * <ul>
 *   <li>{@link #create} returns an {@link Upload}: bytes written to it are invisible to {@link #list} and
 *       {@link #open} until {@link Upload#commit()} returns. A killed process or an {@link Upload#abort()} leaves
 *       no object under the final name. Commit never replaces an existing object of the same name.</li>
 *   <li>{@link #list} returns only committed objects. It either lists all of them or throws: a partial listing
 *       would make retention delete the wrong things.</li>
 *   <li>{@link #open(String, long, long)} reads a byte range, so that a restore reads only what it needs; every
 *       backend answers it, the ones whose server cannot serve ranges by reading and skipping.</li>
 *   <li>Every I/O failure is a {@link StoreIOException}; messages name the store by {@link #describe()}, which
 *       never contains credentials. {@link StoreIOException#transientFailure()} says whether asking again may
 *       help ({@link RetryingStore} does, for reads).</li>
 *   <li>{@link #close()} releases what this store holds (clients shared per process are released by the
 *       {@link StoreRegistry}); a store is opened once per run and closed at its end.</li>
 * </ul>
 */
public interface Store extends Closeable {

    /** A human-readable location without secrets, e.g. {@code file:///var/backups/firesafe/}. */
    String describe();

    Upload create(String name) throws IOException;

    /** Committed objects whose name starts with {@code prefix} (may be empty), in no particular order. */
    List<StoredObject> list(String prefix) throws IOException;

    /** The whole object. */
    default InputStream open(String name) throws IOException {
        return open(name, 0, -1);
    }

    /**
     * {@code length} bytes of the object from {@code offset} ({@code -1}: to its end). A range past the end is
     * cut at the end, as HTTP servers do; callers that need exact lengths check what they got.
     */
    InputStream open(String name, long offset, long length) throws IOException;

    void delete(String name) throws IOException;

    /** The folder of a store on a file system, which a backup must not read as a source. Empty elsewhere. */
    default Optional<Path> localFolder() {
        return Optional.empty();
    }

    /**
     * Removes what uploads of killed processes left under {@code prefix} (never one a running backup is writing),
     * where the store keeps such leftovers visible to itself; returns their names (none elsewhere).
     */
    default List<String> sweepPartials(String prefix) {
        return List.of();
    }

    @Override
    default void close() {
    }

    /** An object being written. Close the stream first, then commit; abort at any point discards everything. */
    interface Upload {
        OutputStream stream();

        /** Makes the object visible under its final name, durably. Fails if that name exists already. */
        void commit() throws IOException;

        /** Discards what was written; safe to call after a failure, twice, or after commit (then a no-op). */
        void abort();
    }

    /** A committed object: its name and size in bytes. */
    record StoredObject(String name, long size) {
    }
}
