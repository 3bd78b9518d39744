package dev.firesafe.store.github;

import dev.firesafe.core.StoreIOException;

import java.io.IOException;
import java.io.InputStream;

/**
 * Reads and updates the {@link BackupIndex} with the Contents API's optimistic locking: an update sends the blob
 * sha it read, so a concurrent writer makes it fail (409/422) instead of being overwritten. On such a conflict the
 * index is read again, the same change re-applied to the new version, and written once more; a second conflict
 * fails the operation.
 */
final class IndexStore {

    /** An index as read, with the blob sha an update must name (null: no index file yet). */
    record Snapshot(BackupIndex index, String sha) {
    }

    /** A change to the index; throws if it no longer applies (e.g. the name was taken meanwhile). */
    @FunctionalInterface
    interface Change {
        BackupIndex apply(BackupIndex current) throws IOException;
    }

    private final GitHubClient client;
    private final GitHubLocation location;
    private final String file;

    IndexStore(GitHubClient client, GitHubLocation location) {
        this.client = client;
        this.location = location;
        this.file = location.file(BackupIndex.FILE);
    }

    /**
     * The index with its sha, for an update (one call while the index is under 1 MB, else two). Without an index
     * the repository is checked (one more call, until the first backup wrote the index), so a mistyped repository
     * or branch fails here, before a backup reads any source, not at its first write.
     */
    Snapshot readForUpdate() throws IOException {
        GitHubClient.FileInfo info = client.info(file);
        if (info == null) {
            client.checkRepository();
            return new Snapshot(BackupIndex.empty(), null);
        }
        byte[] json = info.content();
        if (json == null) {
            try (InputStream in = client.raw(file)) {
                if (in == null) {
                    throw new StoreIOException(file + " in " + location + " vanished while read", null);
                }
                json = in.readAllBytes();
            }
        }
        return new Snapshot(BackupIndex.parse(json, file + " in " + location), info.sha());
    }

    /**
     * The index for reading only (one call, raw: any size). Without an index the repository is checked (one more
     * call), so a mistyped repository or branch is an error, not an empty listing.
     */
    BackupIndex read() throws IOException {
        try (InputStream in = client.raw(file)) {
            if (in == null) {
                client.checkRepository();
                return BackupIndex.empty();
            }
            return BackupIndex.parse(in.readAllBytes(), file + " in " + location);
        }
    }

    /** Applies {@code change} to {@code known} and writes it; on a conflict re-reads and tries once more. */
    BackupIndex update(Snapshot known, Change change, String message) throws IOException {
        try {
            return write(known, change, message);
        } catch (GitHubClient.ShaConflict first) {
            try {
                return write(readForUpdate(), change, message);
            } catch (GitHubClient.ShaConflict second) {
                throw new StoreIOException("the index " + file + " in " + location + " changed twice while "
                        + "Firesafe updated it (another writer is busy); nothing was overwritten: try again", second);
            }
        }
    }

    /**
     * Writes the changed index unless the change is already there: a request retried after a dropped connection
     * may have been applied the first time, and its retry then conflicts with its own result.
     */
    private BackupIndex write(Snapshot base, Change change, String message) throws IOException {
        BackupIndex next = change.apply(base.index());
        if (base.sha() != null && next.equals(base.index())) {
            return next;
        }
        byte[] json = next.toJson();
        client.put(file, json, 0, json.length, base.sha(), message);
        return next;
    }
}
