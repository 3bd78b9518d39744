package dev.firesafe.engine.retention;

import dev.firesafe.core.FiresafeException;
import dev.firesafe.crypto.BackupHeader;
import dev.firesafe.crypto.KeyRing;
import dev.firesafe.plan.Plan;
import dev.firesafe.repository.BackupCatalog;
import dev.firesafe.repository.BackupId;
import dev.firesafe.repository.ChunkedObjects;
import dev.firesafe.store.Store;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Applies a plan's retention to its backups on one store. It never acts on a store whose listing failed, and never
 * removes the newest backup (see {@link RetentionPolicy}).
 *
 * <p>A chunked (incremental) backup's object may hold chunks that later backups reference. So removing a backup
 * deletes its object only when no kept backup needs it (each backup's footer lists the objects it needs); else the
 * backup is marked removed ({@link BackupCatalog#REMOVED_SUFFIX}: gone from every listing, never deduplicated
 * against again) and its object stays until the last backup that needs it is removed. Finding what is needed
 * reads the kept backups' footers, which takes the key that reads backups; without it (a write-only host) chunked
 * backups are only marked, and their space is reclaimed by a prune where that key is (README, "Write-only mode").
 * Format-1 backups are single archives and are deleted as before.
 */
public class PruneService {

    private static final Logger LOG = Logger.getLogger(PruneService.class);

    /** A kept backup and the rules that kept it. */
    public record Kept(String id, List<String> reasons) {
    }

    /** What prune did (or, in a dry run, would do) on one target; {@code error} set if it stopped. */
    public record Report(String target, String plan, boolean dryRun, List<Kept> kept, List<String> removed,
                         String error) {
        public boolean ok() {
            return error == null;
        }
    }

    private final Supplier<Optional<KeyRing>> readingKeys;

    /** @param readingKeys the keys that read backups, if this host has them (not on a write-only host) */
    public PruneService(Supplier<Optional<KeyRing>> readingKeys) {
        this.readingKeys = readingKeys;
    }

    /** For stores that hold only format-1 backups, or where nothing is to be read: no key. */
    public PruneService() {
        this(Optional::empty);
    }

    public Report prune(Store target, Plan plan, boolean dryRun) {
        return prune(target, plan, dryRun, null);
    }

    /** Retention right after backup {@code justMade}, which it never removes ({@link RetentionPolicy}). */
    public Report prune(Store target, Plan plan, boolean dryRun, String justMade) {
        RetentionPolicy policy = new RetentionPolicy(plan.retention());
        BackupCatalog.Listing listing;
        try {
            listing = BackupCatalog.listing(target, plan.name());
        } catch (IOException e) {
            return new Report(target.describe(), plan.name(), dryRun, List.of(), List.of(),
                    "listing failed, nothing removed: " + e.getMessage());
        }
        List<RetentionPolicy.Item> items = listing.backups().stream()
                .map(r -> new RetentionPolicy.Item(r.id(), BackupId.time(r.id()))).toList();
        RetentionPolicy.Decision decision = policy.decide(items, justMade);
        List<Kept> kept = new ArrayList<>();
        for (Map.Entry<RetentionPolicy.Item, List<String>> e : decision.keep().entrySet()) {
            kept.add(new Kept(e.getKey().id(), e.getValue()));
        }
        Set<String> keptIds = new HashSet<>();
        kept.forEach(k -> keptIds.add(k.id()));
        Optional<Set<String>> needed;
        if (decision.remove().isEmpty() && listing.removed().isEmpty()) {
            return new Report(target.describe(), plan.name(), dryRun, kept, List.of(), null); // nothing to decide
        }
        try {
            needed = needed(target, listing.backups().stream().filter(r -> keptIds.contains(r.id())).toList());
        } catch (IOException | FiresafeException e) {
            return new Report(target.describe(), plan.name(), dryRun, kept, List.of(),
                    "cannot read what the kept backups need, nothing removed: " + e.getMessage());
        }
        List<String> removed = new ArrayList<>();
        try {
            for (RetentionPolicy.Item item : decision.remove()) {
                BackupCatalog.Ref ref = listing.backups().stream().filter(r -> r.id().equals(item.id()))
                        .findFirst().orElseThrow();
                if (!dryRun) {
                    remove(target, plan.name(), ref, needed);
                }
                removed.add(item.id());
            }
            if (!dryRun && needed.isPresent()) {
                for (BackupCatalog.Ref r : listing.removed()) {
                    if (!needed.get().contains(r.id())) {
                        deleteObject(target, plan.name(), r);
                    }
                }
            }
        } catch (IOException e) {
            return new Report(target.describe(), plan.name(), false, kept, removed, e.getMessage());
        }
        return new Report(target.describe(), plan.name(), dryRun, kept, removed, null);
    }

    /**
     * The objects the kept backups need (their own and the ones their footers list), or empty when that cannot be
     * known here: chunked backups are kept but no key reads their footers.
     */
    private Optional<Set<String>> needed(Store target, List<BackupCatalog.Ref> keptRefs) throws IOException {
        Set<String> needed = new HashSet<>();
        Optional<KeyRing> keys = Optional.empty();
        boolean keysAsked = false;
        for (BackupCatalog.Ref ref : keptRefs) {
            needed.add(ref.id());
            if (BackupCatalog.header(target, ref).format() != BackupHeader.FORMAT_CHUNKED) {
                continue;
            }
            if (!keysAsked) {
                keys = readingKeys.get();
                keysAsked = true;
            }
            if (keys.isEmpty()) {
                return Optional.empty();
            }
            try (ChunkedObjects.Opened o = ChunkedObjects.open(target, ref, keys.get())) {
                needed.addAll(o.reader().footer().objects());
            }
        }
        return Optional.of(needed);
    }

    private void remove(Store target, String plan, BackupCatalog.Ref ref, Optional<Set<String>> needed)
            throws IOException {
        boolean stillNeeded = needed.map(n -> n.contains(ref.id()))
                .orElseGet(() -> isChunked(target, ref));
        if (stillNeeded) {
            mark(target, plan, ref.id());
            LOG.infof("retention removed backup %s of plan %s from %s; its object stays while later backups need "
                    + "it", ref.id(), plan, target.describe());
        } else {
            deleteObject(target, plan, ref);
            LOG.infof("retention removed backup %s of plan %s from %s", ref.id(), plan, target.describe());
        }
    }

    private static boolean isChunked(Store target, BackupCatalog.Ref ref) {
        try {
            return BackupCatalog.header(target, ref).format() == BackupHeader.FORMAT_CHUNKED;
        } catch (IOException | FiresafeException e) {
            return true; // unknown: keep the object, hide the backup
        }
    }

    /** Writes the mark that hides a removed backup whose object stays (a store never replaces: once is enough). */
    private static void mark(Store target, String plan, String id) throws IOException {
        Store.Upload u = target.create(BackupCatalog.removedMark(plan, id));
        try {
            try (OutputStream out = u.stream()) {
                out.write(("removed by retention; its object stays while later backups need it\n")
                        .getBytes(StandardCharsets.UTF_8));
            }
            u.commit();
        } catch (IOException | RuntimeException e) {
            u.abort();
            throw new IOException("could not remove " + id + ": " + e.getMessage(), e);
        }
    }

    /** The object first (the backup is gone at once for every reader), then its mark if it has one. */
    private static void deleteObject(Store target, String plan, BackupCatalog.Ref ref) throws IOException {
        try {
            target.delete(ref.objectName());
            target.delete(BackupCatalog.removedMark(plan, ref.id()));
        } catch (IOException e) {
            throw new IOException("could not remove " + ref.id() + ": " + e.getMessage(), e);
        }
    }
}
