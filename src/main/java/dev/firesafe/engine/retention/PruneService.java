package dev.firesafe.engine.retention;

import dev.firesafe.engine.wal.WalRetention;

import dev.firesafe.core.FiresafeException;
import dev.firesafe.crypto.BackupHeader;
import dev.firesafe.crypto.EncryptionKey;
import dev.firesafe.crypto.KeyRing;
import dev.firesafe.plan.Plan;
import dev.firesafe.repository.BackupCatalog;
import dev.firesafe.repository.BackupId;
import dev.firesafe.store.Store;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Applies a plan's retention to its backups on one store. It never acts on a store whose listing failed, and never
 * removes the newest backup (see {@link RetentionPolicy}).
 *
 * <p>A chunked (incremental) backup's object holds chunks that other backups reference, so removing a backup is two
 * steps (docs/retention.md):
 * <ol>
 *   <li>Remove: the backup is marked removed ({@link BackupCatalog#REMOVED_SUFFIX}, with the time): gone from every
 *       listing. Its object stays. For the grace period ({@code firesafe.prune-grace}) the removed backup still
 *       counts as kept, so a backup that started while it was listed finds every chunk it referenced.</li>
 *   <li>Reclaim, once the grace period has passed, with the key that reads backups: the chunks the kept backups
 *       (and those removed within the grace period) reference are live. A removed backup's object that holds none
 *       is deleted; one that holds some, but less than {@link #REWRITE_BELOW} of its bytes, is rewritten: the live
 *       chunks are copied into a new object, a generation ({@code PLAN/ID.gN.firesafe}), which is committed before
 *       the old one is deleted. References keep naming the backup; readers find the chunk in the generation by
 *       its id. Every step writes the new before deleting the old, so a prune killed anywhere loses nothing, and the
 *       next one finishes the job.</li>
 * </ol>
 * Without the reading key (a write-only host) chunked backups are only marked; a prune where the key is reclaims
 * their space. Format-1 backups are single archives nothing else refers to, and are deleted at once.
 */
public class PruneService {
    // WAL archives (issue #21) are pruned with their plan: engine.wal.WalRetention

    private static final Logger LOG = Logger.getLogger(PruneService.class);

    /**
     * A removed backup's object (with its generations) is rewritten when what kept backups need of it, plus what a
     * rewrite adds, is less than this part of its size. So every object a prune leaves is at least two thirds live,
     * and a store holds at most 1.5 times what its kept backups reference (docs/retention.md, "Space").
     */
    public static final double REWRITE_BELOW = 2.0 / 3;
    public static final Duration DEFAULT_GRACE = Duration.ofHours(24);

    /** A kept backup and the rules that kept it. */
    public record Kept(String id, List<String> reasons) {
    }

    /**
     * What prune did (or, in a dry run, would do) to the objects of one removed backup: deleted them (nothing kept
     * needs them) or rewrote them into one generation of {@code bytesAfter} bytes (an estimate in a dry run).
     *
     * @param liveBytes what kept backups still need of it (stored, compressed bytes)
     */
    public record Reclaimed(String backup, String action, List<String> objects, long bytesBefore, long bytesAfter,
                            long liveBytes) {
        public long freed() {
            return bytesBefore - bytesAfter;
        }
    }

    /**
     * What prune did (or, in a dry run, would do) on one target; {@code error} set if it stopped.
     *
     * @param freedBytes   bytes this run freed (deleted minus written); in a dry run, what it would free
     * @param heldBytes    bytes removed backups still hold after this run: chunks kept backups need, backups
     *                     removed within the grace period, or all of them when this host has no reading key
     * @param nextReclaim  when a prune can next free more (the first removed backup's grace period ends), or null
     * @param notes        what held space back, in words
     */
    public record Report(String target, String plan, boolean dryRun, List<Kept> kept, List<String> removed,
                         List<Reclaimed> reclaimed, long freedBytes, long heldBytes, Instant nextReclaim,
                         List<String> notes, String error) {
        public boolean ok() {
            return error == null;
        }
    }

    private final Supplier<Optional<KeyRing>> readingKeys;
    private final Duration grace;
    private final Clock clock;
    private final int level;

    /**
     * @param readingKeys the keys that read backups, if this host has them (not on a write-only host)
     * @param grace       how long a removed backup still counts as kept ({@code firesafe.prune-grace})
     * @param clock       the time marks are dated with and grace periods measured by
     * @param level       the compression level of rewritten objects
     */
    public PruneService(Supplier<Optional<KeyRing>> readingKeys, Duration grace, Clock clock, int level) {
        this.readingKeys = readingKeys;
        this.grace = grace;
        this.clock = clock;
        this.level = level;
    }

    public Duration grace() {
        return grace;
    }

    /**
     * Which of {@code ids} (backups of {@code plan}) a prune starting now would no longer count as kept: removed
     * longer than the grace period ago, or gone. Empty if every one still counts: what a backup that ran longer
     * than the grace period checks before it commits.
     */
    public Optional<String> notCounted(Store target, String plan, Set<String> ids) {
        Instant now = clock.instant();
        try {
            BackupCatalog.Listing listing = BackupCatalog.listing(target, plan);
            Set<String> visible = new HashSet<>();
            listing.backups().forEach(r -> visible.add(r.id()));
            for (String id : new java.util.TreeSet<>(ids)) {
                if (visible.contains(id)) {
                    continue;
                }
                Optional<BackupCatalog.Mark> mark = listing.marks().stream().filter(m -> m.id().equals(id))
                        .findFirst();
                Instant removedAt = mark.isEmpty() ? Instant.EPOCH
                        : BackupCatalog.markTime(target, mark.get()).orElse(Instant.EPOCH);
                if (!now.isBefore(removedAt.plus(grace))) {
                    return Optional.of("backup " + id + ", listed when it started, "
                            + (mark.isEmpty() ? "is gone" : "was removed at " + removedAt));
                }
            }
            return Optional.empty();
        } catch (IOException | FiresafeException e) {
            return Optional.of("the removed backups cannot be checked (" + e.getMessage() + ")");
        }
    }

    public Report prune(Store target, Plan plan, boolean dryRun) {
        return prune(target, plan, dryRun, null);
    }

    /** Retention right after backup {@code justMade}, which it never removes ({@link RetentionPolicy}). */
    public Report prune(Store target, Plan plan, boolean dryRun, String justMade) {
        return prune(target, plan, dryRun, justMade, null);
    }

    /**
     * The same, removing only backups in {@code listedAtStart} (null: any): the retention after a backup never
     * removes one committed while that backup ran, which another run has just reported ok (issue #18: two hosts,
     * keep-last 1, and the one whose id sorted older was gone within the minute). The next run's retention, which
     * sees it listed when it starts, applies the policy to it.
     */
    public Report prune(Store target, Plan plan, boolean dryRun, String justMade, Set<String> listedAtStart) {
        Instant now = clock.instant();
        if (!dryRun) {
            // what killed backups left (issue #19): never listed, so retention alone would never remove it
            target.sweepPartials(plan.name());
        }
        RetentionPolicy policy = new RetentionPolicy(plan.retention());
        BackupCatalog.Listing listing;
        try {
            listing = BackupCatalog.listing(target, plan.name());
        } catch (IOException e) {
            return new Report(target.describe(), plan.name(), dryRun, List.of(), List.of(), List.of(), 0, 0, null,
                    List.of(), "listing failed, nothing removed: " + e.getMessage());
        }
        List<RetentionPolicy.Item> items = listing.backups().stream()
                .map(r -> new RetentionPolicy.Item(r.id(), BackupId.time(r.id()))).toList();
        RetentionPolicy.Decision decision = policy.decide(items, justMade);
        List<Kept> kept = new ArrayList<>();
        for (Map.Entry<RetentionPolicy.Item, List<String>> e : decision.keep().entrySet()) {
            kept.add(new Kept(e.getKey().id(), e.getValue()));
        }
        List<RetentionPolicy.Item> toRemove = new ArrayList<>();
        for (RetentionPolicy.Item item : decision.remove()) {
            if (listedAtStart != null && !listedAtStart.contains(item.id())) {
                kept.add(new Kept(item.id(), List.of("committed while this backup ran")));
            } else {
                toRemove.add(item);
            }
        }
        Set<String> keptIds = new HashSet<>();
        kept.forEach(k -> keptIds.add(k.id()));

        List<String> removed = new ArrayList<>();
        List<Reclaimed> reclaimed = new ArrayList<>();
        Set<String> marked = new HashSet<>();
        Reclaim.Outcome outcome;
        try {
            for (RetentionPolicy.Item item : toRemove) {
                BackupCatalog.Ref ref = listing.backups().stream().filter(r -> r.id().equals(item.id()))
                        .findFirst().orElseThrow();
                if (isChunked(target, ref)) {
                    if (!dryRun) {
                        mark(target, plan.name(), ref.id(), now);
                    }
                    marked.add(ref.id());
                    LOG.infof("retention removed backup %s of plan %s from %s", ref.id(), plan.name(),
                            target.describe());
                } else {
                    if (!dryRun) {
                        deleteObjects(target, plan.name(), ref.id(), List.of(ref), true);
                    }
                    reclaimed.add(new Reclaimed(ref.id(), "delete", List.of(ref.objectName()), ref.size(), 0, 0));
                    LOG.infof("retention removed backup %s of plan %s from %s", ref.id(), plan.name(),
                            target.describe());
                }
                if (!dryRun && listing.incomplete().contains(ref.id())) {
                    // the mark only tells 'list' that the backup is incomplete: it goes with the backup
                    target.delete(BackupCatalog.incompleteMarker(plan.name(), ref.id()));
                }
                removed.add(item.id());
            }
            List<BackupCatalog.Ref> keptRefs = listing.backups().stream().filter(r -> keptIds.contains(r.id()))
                    .toList();
            // After a backup, the previous backup's retention reclaimed what it could; what is live only changes when
            // a removed backup's grace period ends, so trees are read again only if one ended since that backup.
            Instant settled = justMade == null ? null : listing.backups().stream().map(BackupCatalog.Ref::id)
                    .filter(id -> !id.equals(justMade)).map(BackupId::time).max(Instant::compareTo).orElse(null);
            outcome = new Reclaim(target, plan.name(), listing, keptRefs, marked, now, dryRun, settled).run();
        } catch (IOException | FiresafeException e) {
            return new Report(target.describe(), plan.name(), dryRun, kept, removed, reclaimed, freed(reclaimed), 0,
                    null, List.of(), e.getMessage());
        }
        reclaimed.addAll(outcome.reclaimed());
        List<String> notes = new ArrayList<>(outcome.notes());
        long walFreed = 0;
        // What WAL the kept base backups need changes only when backups go: after a backup that removed none, the
        // WAL archive is not even listed (on GitHub that look was a 4th request per backup)
        boolean walMayChange = justMade == null || !removed.isEmpty();
        try {
            Optional<WalRetention.Outcome> wal = !walMayChange ? Optional.empty()
                    : WalRetention.prune(target, plan.name(), keptIds, readingKeys.get(),
                    dryRun);
            if (wal.isPresent()) {
                notes.add(wal.get().note());
                walFreed = wal.get().bytes();
            }
        } catch (IOException | FiresafeException e) {
            notes.add("WAL archive not pruned: " + e.getMessage());
        }
        return new Report(target.describe(), plan.name(), dryRun, kept, removed, reclaimed,
                freed(reclaimed) + walFreed, outcome.held(), outcome.nextReclaim(), notes, null);
    }

    private static long freed(List<Reclaimed> reclaimed) {
        return reclaimed.stream().mapToLong(Reclaimed::freed).sum();
    }

    private static boolean isChunked(Store target, BackupCatalog.Ref ref) {
        try {
            return BackupCatalog.header(target, ref).format() == BackupHeader.FORMAT_CHUNKED;
        } catch (IOException | FiresafeException e) {
            return true; // unknown: keep the object, hide the backup
        }
    }

    /** Writes the mark that hides a removed backup, dated (a store never replaces: once is enough). */
    private static void mark(Store target, String plan, String id, Instant now) throws IOException {
        Store.Upload u = target.create(BackupCatalog.removedMark(plan, id));
        try {
            try (OutputStream out = u.stream()) {
                out.write(BackupCatalog.markContent(now));
            }
            u.commit();
        } catch (IOException | RuntimeException e) {
            u.abort();
            throw new IOException("could not remove " + id + ": " + e.getMessage(), e);
        }
    }

    /**
     * Deletes {@code objects} of backup {@code id}, then (with {@code andMark}) its mark: last, so that until every
     * object is gone none of them is listed as a backup again.
     */
    static void deleteObjects(Store target, String plan, String id, List<BackupCatalog.Ref> objects, boolean andMark)
            throws IOException {
        try {
            for (int i = objects.size() - 1; i >= 0; i--) {
                target.delete(objects.get(i).objectName());
            }
            if (andMark) {
                target.delete(BackupCatalog.removedMark(plan, id));
            }
        } catch (IOException e) {
            throw new IOException("could not delete what backup " + id + " left: " + e.getMessage(), e);
        }
    }

    /** The reclaiming step over the removed backups of one plan on one store. */
    private final class Reclaim {

        record Outcome(List<Reclaimed> reclaimed, long held, Instant nextReclaim, List<String> notes) {
        }

        private final Store target;
        private final String plan;
        private final BackupCatalog.Listing listing;
        private final List<BackupCatalog.Ref> keptRefs;
        private final Set<String> markedNow;
        private final Instant now;
        private final boolean dryRun;
        private final Instant settled;
        private final List<Reclaimed> reclaimed = new ArrayList<>();
        private final List<String> notes = new ArrayList<>();
        private long held;
        private Instant nextReclaim;

        /** {@code settled}: a prune ran then (after the previous backup); null if not known. */
        Reclaim(Store target, String plan, BackupCatalog.Listing listing, List<BackupCatalog.Ref> keptRefs,
                Set<String> markedNow, Instant now, boolean dryRun, Instant settled) {
            this.settled = settled;
            this.target = target;
            this.plan = plan;
            this.listing = listing;
            this.keptRefs = keptRefs;
            this.markedNow = markedNow;
            this.now = now;
            this.dryRun = dryRun;
        }

        Outcome run() throws IOException {
            Set<String> keptIds = new HashSet<>();
            keptRefs.forEach(r -> keptIds.add(r.id()));
            Map<String, BackupCatalog.Family> due = new LinkedHashMap<>();
            List<BackupCatalog.Ref> graceCounted = new ArrayList<>();
            boolean changed = settled == null;
            for (String id : removedIds()) {
                if (keptIds.contains(id)) {
                    continue; // listed again (its mark deleted by hand): a backup like any other
                }
                BackupCatalog.Family family = listing.family(plan, id);
                if (family.members().isEmpty()) {
                    if (!dryRun) {
                        target.delete(BackupCatalog.removedMark(plan, id)); // a prune killed after the last object
                    }
                    continue;
                }
                Instant removedAt = markedNow.contains(id) ? now : removedAt(id);
                Instant ends = removedAt.plus(grace);
                if (now.isBefore(ends)) {
                    held += family.size();
                    nextReclaim = nextReclaim == null || ends.isBefore(nextReclaim) ? ends : nextReclaim;
                    family.original().ifPresent(graceCounted::add);
                } else {
                    due.put(id, family);
                    changed |= ends.isAfter(settled == null ? Instant.EPOCH : settled);
                }
            }
            if (nextReclaim != null) {
                notes.add("backups removed less than " + grace + " ago still count as kept (the grace period for "
                        + "backups running meanwhile); their space is reclaimed by a prune after " + nextReclaim);
            }
            if (due.isEmpty()) {
                return outcome();
            }
            if (!changed) {
                due.values().forEach(f -> held += f.size());
                return outcome(); // nothing became reclaimable since the last backup's retention looked
            }
            Optional<KeyRing> keys = readingKeys.get();
            if (keys.isEmpty()) {
                due.values().forEach(f -> held += f.size());
                notes.add("no key that reads backups here (write-only host): removed backups are only marked; a "
                        + "prune where the recovery or master key is reclaims their space");
                return outcome();
            }
            List<BackupCatalog.Ref> counted = new ArrayList<>();
            for (BackupCatalog.Ref r : keptRefs) {
                if (BackupCatalog.header(target, r).format() == BackupHeader.FORMAT_CHUNKED) {
                    counted.add(r);
                }
            }
            counted.addAll(graceCounted);
            Liveness liveness = Liveness.of(target, plan, keys.get(), counted, due);
            for (BackupCatalog.Family family : due.values()) {
                Liveness.FamilyLive live = liveness.family(family.backupId());
                if (live == null) {
                    if (!dryRun) {
                        deleteObjects(target, plan, family.backupId(), family.members(), true);
                    }
                    reclaimed.add(new Reclaimed(family.backupId(), "delete", names(family.members()),
                            family.size(), 0, 0));
                    LOG.infof("prune deleted the object of removed backup %s of plan %s from %s: no kept backup "
                            + "needs it", family.backupId(), plan, target.describe());
                } else if (live.dangling() != null) {
                    held += family.size();
                    notes.add(live.dangling());
                    LOG.warnf("%s", live.dangling());
                } else {
                    reclaim(family, live, keys.get());
                }
            }
            return outcome();
        }

        private Outcome outcome() {
            return new Outcome(reclaimed, held, nextReclaim, notes);
        }

        /** Every backup with a mark or a generation: the objects retention removed. */
        private Set<String> removedIds() {
            Set<String> ids = new java.util.TreeSet<>(markedNow);
            listing.marks().forEach(m -> ids.add(m.id()));
            listing.generations().forEach(g -> ids.add(g.backupId()));
            return ids;
        }

        private Instant removedAt(String id) throws IOException {
            Optional<BackupCatalog.Mark> mark = listing.marks().stream().filter(m -> m.id().equals(id)).findFirst();
            if (mark.isEmpty()) {
                return Instant.EPOCH; // generations without a mark: removed long ago
            }
            return BackupCatalog.markTime(target, mark.get()).orElse(Instant.EPOCH);
        }

        /**
         * A removed backup whose objects hold chunks kept backups need: objects whose every live chunk a newer
         * generation holds too are deleted (a rewrite killed before it deleted them); then, if less than
         * {@link #REWRITE_BELOW} of what is left is live, the live chunks are copied into a new generation, and
         * the objects deleted once it is committed.
         */
        private void reclaim(BackupCatalog.Family family, Liveness.FamilyLive live, KeyRing keys) throws IOException {
            List<BackupCatalog.Ref> members = family.members();
            List<BackupCatalog.Ref> redundant = new ArrayList<>();
            List<Integer> remaining = new ArrayList<>();
            for (int m = 0; m < members.size(); m++) {
                if (m < members.size() - 1 && live.coveredByNewer(m)) {
                    redundant.add(members.get(m));
                } else {
                    remaining.add(m);
                }
            }
            long before = family.size();
            if (!redundant.isEmpty()) {
                if (!dryRun) {
                    deleteObjects(target, plan, family.backupId(), redundant, false);
                }
                long size = redundant.stream().mapToLong(BackupCatalog.Ref::size).sum();
                reclaimed.add(new Reclaimed(family.backupId(), "delete", names(redundant), size, 0, 0));
                before -= size;
            }
            long liveBytes = live.liveBytes(remaining);
            long estimate = Rewriter.estimate(liveBytes, live.liveChunks(remaining));
            if (estimate >= REWRITE_BELOW * before) {
                held += before;
                return;
            }
            List<BackupCatalog.Ref> old = remaining.stream().map(members::get).toList();
            Optional<EncryptionKey> sealer;
            BackupHeader header = BackupCatalog.header(target, old.get(0));
            sealer = keys.sealerFor(header);
            if (sealer.isEmpty()) {
                held += before;
                notes.add("backup " + family.backupId() + "'s object is " + percent(liveBytes, before) + " live but "
                        + "the keys here cannot seal a rewrite of it (" + header.keyMode() + " key " + header.keyId()
                        + ")");
                return;
            }
            int number = listing.generations().stream().filter(g -> g.backupId().equals(family.backupId()))
                    .mapToInt(BackupCatalog.Generation::number).max().orElse(0) + 1;
            long after = estimate;
            if (!dryRun) {
                after = new Rewriter(target, plan, keys, level, clock).write(family.backupId(), number, old,
                        remaining.stream().map(live::member).toList(), sealer.get(), header.compression());
                deleteObjects(target, plan, family.backupId(), old, false);
                LOG.infof("prune rewrote removed backup %s of plan %s on %s: %d -> %d bytes (%s live)",
                        family.backupId(), plan, target.describe(), before, after, percent(liveBytes, before));
            }
            held += after;
            reclaimed.add(new Reclaimed(family.backupId(), "rewrite", names(old), before, after, liveBytes));
        }
    }

    private static String percent(long part, long whole) {
        return whole == 0 ? "0%" : Math.round(100.0 * part / whole) + "%";
    }

    private static List<String> names(List<BackupCatalog.Ref> refs) {
        return refs.stream().map(BackupCatalog.Ref::objectName).toList();
    }
}
