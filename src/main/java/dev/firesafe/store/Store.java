package dev.firesafe.store;

import dev.firesafe.core.StoreIOException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;

/**
 * Where encrypted backup files are kept. Names are relative, '/'-separated keys such as
 * {@code default/20261124T161550.123Z-1a2b3c4d.firesafe}; the target knows nothing of plans or formats.
 *
 * <p>Contract every implementation states and keeps:
 * <ul>
 *   <li>{@link #create} returns an {@link Upload}: bytes written to it are invisible to {@link #list} and
 *       {@link #open} until {@link Upload#commit()} returns. A killed process or an {@link Upload#abort()} leaves
 *       no object under the final name. Commit never replaces an existing object of the same name.</li>
 *   <li>{@link #list} returns only committed objects. It either lists all of them or throws: a partial listing
 *       would make retention delete the wrong things.</li>
 *   <li>Every I/O failure is a {@link StoreIOException}; messages name the target by {@link #describe()}, which
 *       never contains credentials.</li>
 * </ul>
 */
public interface Store {

    /** A human-readable location without secrets, e.g. {@code file:///var/backups/firesafe}. */
    String describe();

    Upload create(String name) throws IOException;

    /** Committed objects whose name starts with {@code prefix} (may be empty), in no particular order. */
    List<StoredObject> list(String prefix) throws IOException;

    InputStream open(String name) throws IOException;

    void delete(String name) throws IOException;

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
