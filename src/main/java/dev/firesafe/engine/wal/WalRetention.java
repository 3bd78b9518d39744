package dev.firesafe.engine.wal;

import dev.firesafe.crypto.KeyRing;
import dev.firesafe.repository.wal.Lsn;
import dev.firesafe.repository.wal.WalArchive;
import dev.firesafe.repository.wal.WalListing;
import dev.firesafe.repository.wal.WalName;
import dev.firesafe.store.Store;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Retention of a plan's WAL archive (issue #21 point 5): WAL a kept base backup needs is never deleted; what is
 * older than the start of the oldest kept base backup is. Segments (and their partial versions, and backup history
 * files) below that segment go, on every timeline; {@code .history} files always stay (they are tiny, and every
 * later timeline's recovery reads them). Nothing is deleted while no kept backup holds a base backup (archiving may
 * have started before the first one), nor without a reading key (which base backup a history file names is inside
 * it, encrypted; a write-only host leaves WAL pruning to a prune where the recovery key is).
 */
public final class WalRetention {

    /** What a prune did (or, in a dry run, would do) to the WAL archive; {@code note} says it in words. */
    public record Outcome(int deleted, long bytes, Lsn keptFrom, String note) {
    }

    private WalRetention() {
    }

    /** Empty when the plan has no WAL archive on {@code store}. */
    public static Optional<Outcome> prune(Store store, String plan, Set<String> keptBackups, Optional<KeyRing> keys,
                                          boolean dryRun) throws IOException {
        WalListing quick = WalArchive.forListing(store, plan).list();
        if (quick.isEmpty()) {
            return Optional.empty();
        }
        if (keys.isEmpty()) {
            return Optional.of(new Outcome(0, 0, null, "WAL archive not pruned: which base backups it serves is "
                    + "known only with the reading key (run prune where the recovery key is)"));
        }
        WalArchive archive = WalArchive.forReading(store, plan, keys.get());
        WalInventory inv = WalInventory.read(archive, keptBackups);
        if (inv.bases().isEmpty()) {
            return Optional.of(new Outcome(0, 0, null, "WAL archive not pruned: no kept backup holds a base backup"));
        }
        Lsn oldest = inv.bases().stream().map(b -> b.history().start()).min(Lsn::compareTo).orElseThrow();
        long keepFrom = oldest.segment(inv.segmentSize());
        List<WalListing.Item> doomed = new ArrayList<>();
        for (WalListing.Item i : inv.listing().items()) {
            if (i.name().kind() != WalName.Kind.HISTORY && i.name().segmentNumber(inv.segmentSize()) < keepFrom) {
                doomed.add(i);
            }
        }
        long bytes = 0;
        for (WalListing.Item i : doomed) {
            if (!dryRun) {
                archive.delete(i);
            }
            bytes += i.size();
        }
        if (!dryRun) {
            archive.removeSuperseded(archive.list());
        }
        return Optional.of(new Outcome(doomed.size(), bytes, oldest, (dryRun ? "would delete " : "deleted ")
                + doomed.size() + " WAL file(s) older than the oldest kept base backup (WAL from " + oldest + ")"));
    }
}
