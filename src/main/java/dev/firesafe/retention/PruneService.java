package dev.firesafe.retention;

import dev.firesafe.backup.BackupCatalog;
import dev.firesafe.backup.BackupId;
import dev.firesafe.plan.Plan;
import dev.firesafe.target.LocalTarget;
import dev.firesafe.target.Target;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Applies a plan's retention to its backups on one target. Needs no key (it reads only the listing), so a
 * write-only host prunes too. It never acts on a target whose listing failed, and never removes the newest
 * backup (see {@link RetentionPolicy}).
 */
@ApplicationScoped
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

    public Report prune(Target target, Plan plan, boolean dryRun) {
        return prune(target, plan, dryRun, null);
    }

    /** Retention right after backup {@code justMade}, which it never removes ({@link RetentionPolicy}). */
    public Report prune(Target target, Plan plan, boolean dryRun, String justMade) {
        if (!dryRun && target instanceof LocalTarget local) {
            // what killed backups left (issue #19): not listed, so retention alone would never remove it
            local.sweepPartials(plan.name());
        }
        RetentionPolicy policy = new RetentionPolicy(plan.retention());
        List<BackupCatalog.Ref> refs;
        java.util.Set<String> marked;
        try {
            BackupCatalog.Listing listing = BackupCatalog.listMarked(target, plan.name());
            refs = listing.backups();
            marked = listing.incomplete();
        } catch (IOException e) {
            return new Report(target.describe(), plan.name(), dryRun, List.of(), List.of(),
                    "listing failed, nothing removed: " + e.getMessage());
        }
        List<RetentionPolicy.Item> items = refs.stream()
                .map(r -> new RetentionPolicy.Item(r.id(), BackupId.time(r.id()))).toList();
        RetentionPolicy.Decision decision = policy.decide(items, justMade);
        List<Kept> kept = new ArrayList<>();
        for (Map.Entry<RetentionPolicy.Item, List<String>> e : decision.keep().entrySet()) {
            kept.add(new Kept(e.getKey().id(), e.getValue()));
        }
        List<String> removed = new ArrayList<>();
        for (RetentionPolicy.Item item : decision.remove()) {
            if (!dryRun) {
                try {
                    target.delete(BackupCatalog.objectName(plan.name(), item.id()));
                    if (marked.contains(item.id())) {
                        // after the backup: a mark without its backup is never listed, a backup without it would be
                        target.delete(BackupCatalog.incompleteMarker(plan.name(), item.id()));
                    }
                } catch (IOException e) {
                    return new Report(target.describe(), plan.name(), false, kept, removed,
                            "could not remove " + item.id() + ": " + e.getMessage());
                }
                LOG.infof("retention removed backup %s of plan %s from %s", item.id(), plan.name(),
                        target.describe());
            }
            removed.add(item.id());
        }
        return new Report(target.describe(), plan.name(), dryRun, kept, removed, null);
    }
}
