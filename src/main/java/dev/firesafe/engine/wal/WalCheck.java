package dev.firesafe.engine.wal;

import dev.firesafe.core.Failures;
import dev.firesafe.core.FiresafeException;
import dev.firesafe.crypto.KeySource;
import dev.firesafe.repository.BackupCatalog;
import dev.firesafe.repository.wal.Lsn;
import dev.firesafe.repository.wal.WalArchive;
import dev.firesafe.repository.wal.WalListing;
import dev.firesafe.store.Store;
import dev.firesafe.store.StoreRegistry;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * {@code verify --wal}: the WAL archive's continuity, per timeline, and for each base backup how far a recovery
 * from it can go: to the newest archived segment of the newest timeline, or up to the first gap on the way.
 */
public final class WalCheck {

    /** One timeline: its first and last archived segments, how many, and the gaps between. */
    public record Timeline(int timeline, String first, String last, int segments, List<WalInventory.Gap> gaps) {
    }

    /**
     * One base backup: where its WAL starts, when it is consistent, and how far recovery from it reaches
     * ({@code reaches}; {@code complete} when that is the newest archived segment, else it stops at {@code gaps}).
     */
    public record Window(String backupId, Lsn start, int startTimeline, Lsn consistentAt, String consistentTime,
                         Lsn reaches, int timeline, boolean complete, List<WalInventory.Gap> gaps) {
    }

    /** The whole report; {@code ok}: the newest base backup reaches the newest segment. */
    public record Report(String target, String plan, long segmentSize, List<Timeline> timelines,
                         List<Window> windows) {
        public boolean ok() {
            return !windows.isEmpty() && windows.get(windows.size() - 1).complete();
        }
    }

    private final KeySource keys;
    private final StoreRegistry stores;

    public WalCheck(KeySource keys, StoreRegistry stores) {
        this.keys = keys;
        this.stores = stores;
    }

    public Report check(String targetUri, String plan) {
        var key = keys.forReading();
        try (Store store = stores.open(targetUri)) {
            var ids = BackupCatalog.list(store, plan).stream().map(BackupCatalog.Ref::id).collect(Collectors.toSet());
            WalInventory inv = WalInventory.read(WalArchive.forReading(store, plan, key), ids);
            List<Timeline> timelines = new ArrayList<>();
            for (int tl : inv.listing().timelines()) {
                List<WalListing.Item> segs = inv.listing().segments(tl);
                if (segs.isEmpty()) {
                    timelines.add(new Timeline(tl, null, null, 0, List.of()));
                    continue;
                }
                long first = segs.get(0).name().segmentNumber(inv.segmentSize());
                long last = segs.get(segs.size() - 1).name().segmentNumber(inv.segmentSize());
                java.util.Set<Long> have = segs.stream().map(s -> s.name().segmentNumber(inv.segmentSize()))
                        .collect(Collectors.toSet());
                List<WalInventory.Gap> gaps = WalInventory.absent(tl, first, last, have, inv.segmentSize());
                timelines.add(new Timeline(tl, segs.get(0).name().name(), segs.get(segs.size() - 1).name().name(),
                        segs.size(), gaps));
            }
            int newest = inv.newestTimeline();
            Optional<Lsn> end = inv.archivedEnd(newest);
            List<Window> windows = new ArrayList<>();
            for (WalInventory.Base b : inv.bases()) {
                List<WalInventory.Gap> gaps;
                try {
                    gaps = inv.gaps(b, newest, null);
                } catch (FiresafeException e) {
                    continue; // a base backup on a timeline the newest one does not descend from
                }
                Lsn reaches = gaps.isEmpty() ? end.orElse(b.history().stop()) : gaps.get(0).from();
                windows.add(new Window(b.backupId(), b.history().start(), b.history().startTimeline(),
                        b.history().stop(), b.history().stopTime().map(Object::toString).orElse(null), reaches,
                        gaps.isEmpty() ? newest : gaps.get(0).timeline(), gaps.isEmpty(), gaps));
            }
            return new Report(store.describe(), plan, inv.segmentSize(), timelines, windows);
        } catch (IOException e) {
            throw Failures.classify(e, "cannot read the WAL archive of plan '" + plan + "' in " + targetUri);
        }
    }
}
