package dev.firesafe.cli;

import dev.firesafe.app.Services;

import dev.firesafe.repository.BackupCatalog;
import dev.firesafe.core.FiresafeException;
import dev.firesafe.repository.BackupId;
import dev.firesafe.crypto.BackupHeader;
import dev.firesafe.core.Failures;
import dev.firesafe.core.FiresafeConfig;
import dev.firesafe.plan.PlanRepository;
import dev.firesafe.store.Store;
import dev.firesafe.core.StoreIOException;
import dev.firesafe.store.StoreRegistry;
import jakarta.inject.Inject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

@Command(name = "list", description = "List the backups on a target, oldest first. Needs no key.")
class ListCommand implements Runnable {

    @Option(names = "--target", description = "Store to list (default: the plan's target).")
    String target;

    @Option(names = "--plan", description = "Only backups of this plan.")
    String plan;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    private final PlanRepository plans;
    private final FiresafeConfig config;
    private final StoreRegistry stores;

    @Inject
    ListCommand(Services services) {
        this.plans = services.plans();
        this.config = services.settings().firesafe();
        this.stores = services.stores();
    }

    /**
     * {@code mode}: "master", "write-only", "damaged" when the plaintext header is not a valid one, or "unreadable"
     * when the target did not deliver it (unreachable, access denied), which says nothing about the backup.
     * {@code incomplete}: the backup ended with exit code 7, entries its plan names are missing from it
     * ({@code verify} names them). {@code problem}: where the header names another backup or plan than where the
     * backup was found (moved or copied from another plan's folder: issue #18), what; else null.
     */
    record Row(String id, String plan, String created, long size, String mode, String keyId, boolean incomplete,
               String problem) {
    }

    @Override
    public void run() {
        TargetOption.Selection selected = TargetOption.select(target, plan, plans, config);
        try (Store t = stores.open(selected.target())) {
            BackupCatalog.Listing listing;
            try {
                listing = BackupCatalog.listMarked(t, selected.plan());
            } catch (IOException e) {
                throw Failures.classify(e, "cannot list " + t.describe());
            }
            List<String> unreadable = new ArrayList<>();
            List<Row> rows = listing.backups().stream()
                    .map(r -> row(t, r, listing.incomplete().contains(r.id()), unreadable)).toList();
            if (json) {
                System.out.println(Json.of(new JsonView(t.describe(), rows)));
            } else {
                System.out.printf("%-30s %-16s %10s  %-10s %s%n", "ID", "PLAN", "SIZE", "MODE", "KEY");
                rows.forEach(r -> System.out.printf("%-30s %-16s %10s  %-10s %s%s%s%n", r.id(), r.plan(),
                        Units.bytes(r.size()), r.mode(), r.keyId() == null ? "-" : r.keyId(),
                        r.incomplete() ? "  INCOMPLETE (files missing; verify names them)" : "",
                        r.problem() == null ? "" : "  MISPLACED: " + r.problem()));
                long incomplete = rows.stream().filter(Row::incomplete).count();
                System.out.printf("%d backup(s) in %s%s%n", rows.size(), t.describe(), incomplete == 0 ? ""
                        : "; " + incomplete + " incomplete (made with files it could not read, exit code 7)");
            }
            List<String> misplaced = rows.stream().map(Row::problem).filter(p -> p != null).toList();
            if (!misplaced.isEmpty()) {
                throw FiresafeException.integrity(misplaced.size() + " backup(s) in " + t.describe() + " are not where "
                        + "their header says they belong (not to be restored as listed); first: " + misplaced.get(0));
            }
            if (!unreadable.isEmpty()) {
                throw FiresafeException.target(unreadable.size() + " backup(s) listed but not read from " + t.describe()
                        + "; first: " + unreadable.get(0), null);
            }
        }
    }

    /** The backup's row; a target that fails to deliver the header adds its error to {@code unreadable}. */
    private static Row row(Store t, BackupCatalog.Ref r, boolean incomplete, List<String> unreadable) {
        String created = BackupId.time(r.id()).toString();
        try {
            BackupHeader h = BackupCatalog.header(t, r);
            String mode = BackupHeader.KEY_MODE_RECIPIENT.equals(h.keyMode()) ? "write-only" : h.keyMode();
            return new Row(r.id(), r.plan(), created, r.size(), mode, h.keyId(), incomplete,
                    BackupCatalog.misplaced(r, h).orElse(null));
        } catch (StoreIOException e) {
            unreadable.add(r.id() + ": " + e.getMessage());
            return new Row(r.id(), r.plan(), created, r.size(), "unreadable", null, incomplete, null);
        } catch (IOException | FiresafeException e) {
            return new Row(r.id(), r.plan(), created, r.size(), "damaged", null, incomplete, null);
        }
    }

    record JsonView(String target, List<Row> backups) {
    }
}
