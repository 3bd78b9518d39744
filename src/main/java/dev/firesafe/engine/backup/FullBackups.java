package dev.firesafe.engine.backup;

import dev.firesafe.crypto.BackupHeader;
import dev.firesafe.crypto.KeyRing;
import dev.firesafe.repository.BackupCatalog;
import dev.firesafe.repository.BackupId;
import dev.firesafe.repository.ChunkedObjects;
import dev.firesafe.repository.cache.LocalCache;
import dev.firesafe.store.Store;

import java.io.IOException;
import java.time.Instant;
import java.util.List;

/**
 * The plan option {@code full-every}: whether a store lacks a self-contained backup (one that depends on no other
 * object: a format-1 archive, or a chunked one whose footer says so) made since a given time.
 *
 * <p>This host's cache names the newest one it made; else the store's newest backups are asked, newest first and
 * only those since that time (a header, and for chunked ones the footer, by range). A host that cannot read them
 * (write-only, no cache) cannot tell, and makes one: costing a fuller backup, never a missing one.
 */
final class FullBackups {

    private FullBackups() {
    }

    /**
     * True when {@code store} holds no self-contained backup of the listing made after {@code since}. A store
     * that could not be listed ({@code listing} null) is not asked: the backup stores all it needs there anyway.
     */
    static boolean due(Store store, BackupCatalog.Listing listing, LocalCache cache, KeyRing reading, Instant since) {
        if (listing == null) {
            return false;
        }
        List<BackupCatalog.Ref> backups = listing.backups();
        for (int i = backups.size() - 1; i >= 0; i--) {
            BackupCatalog.Ref ref = backups.get(i);
            if (!BackupId.time(ref.id()).isAfter(since)) {
                return true; // oldest first: every one further back is older still
            }
            if (cache != null && ref.id().equals(cache.lastFull()) || selfContained(store, ref, reading)) {
                return false;
            }
        }
        return true;
    }

    private static boolean selfContained(Store store, BackupCatalog.Ref ref, KeyRing reading) {
        try {
            if (BackupCatalog.header(store, ref).format() != BackupHeader.FORMAT_CHUNKED) {
                return true; // a format-1 archive holds everything it restores
            }
            if (reading == null) {
                return false;
            }
            try (ChunkedObjects.Opened opened = ChunkedObjects.open(store, ref, reading)) {
                return opened.reader().footer().full();
            }
        } catch (IOException | RuntimeException e) {
            return false; // unreadable: it cannot be the backup a bare restore relies on
        }
    }
}
