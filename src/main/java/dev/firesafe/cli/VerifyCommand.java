package dev.firesafe.cli;

import dev.firesafe.app.Services;

import dev.firesafe.core.ExitCode;
import dev.firesafe.core.FiresafeException;
import dev.firesafe.archive.Manifest;
import dev.firesafe.repository.BackupCatalog;
import dev.firesafe.core.Progress;
import dev.firesafe.core.FiresafeConfig;
import dev.firesafe.plan.PlanRepository;
import dev.firesafe.engine.restore.RestoreResult;
import dev.firesafe.engine.restore.RestoreService;
import dev.firesafe.engine.restore.VerifyAllResult;
import dev.firesafe.core.Failures;
import dev.firesafe.store.Store;
import dev.firesafe.store.StoreRegistry;
import jakarta.inject.Inject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

@Command(name = "verify", description = "Decrypt a backup and check every file against its manifest; "
        + "writes nothing.")
class VerifyCommand implements Callable<Integer> {

    /** The id that checks every backup on the target, oldest first. */
    static final String ALL = "all";

    @Parameters(index = "0", defaultValue = "latest", description = "Backup id, 'latest' (default), or 'all': every "
            + "backup on the target (of --plan, if given), oldest first; exit 0 only if every one is intact.")
    String id;

    @Option(names = "--target", description = "Store holding the backup (default: the plan's target).")
    String target;

    @Option(names = "--plan", description = "With 'latest': newest backup of this plan (without it: of the one "
            + "plan the target holds; several plans there need --plan).")
    String plan;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Option(names = "--list", description = "Then list what the backup holds, one entry a line (type, mode, size, "
            + "time, name as restore --include matches it); with --json as \"entries\".")
    boolean list;

    @Option(names = "--wal", description = "Check the plan's PostgreSQL WAL archive instead: continuity per "
            + "timeline, and how far a recovery from each base backup reaches (exit 4 when the newest base backup "
            + "cannot reach the newest segment). docs/pitr.md")
    boolean wal;

    private final PlanRepository plans;
    private final FiresafeConfig config;
    private final RestoreService service;
    private final StoreRegistry stores;

    @Inject
    VerifyCommand(Services services) {
        this.plans = services.plans();
        this.config = services.settings().firesafe();
        this.service = services.restores();
        this.stores = services.stores();
        this.walCheck = new dev.firesafe.engine.wal.WalCheck(services.keys(), services.stores());
    }

    private final dev.firesafe.engine.wal.WalCheck walCheck;

    @Override
    public Integer call() {
        if (json) {
            Json.prepareInBackground();
        }
        if (wal) {
            return WalReport.print(walCheck.check(TargetOption.select(target, plan == null ? "default" : plan, plans,
                    config).target(), plans.find(plan == null ? "default" : plan, true).name()), json);
        }
        TargetOption.Selection selected = TargetOption.select(target, plan, plans, config);
        if (ALL.equals(id)) {
            return verifyAll(selected);
        }
        Progress progress = ProgressLine.forTerminal(json, 0);
        RestoreResult r;
        try {
            r = service.verify(selected.target(), id, selected.plan(), progress, list);
        } finally {
            ProgressLine.end(progress);
        }
        if (json) {
            System.out.println(list ? Json.of(Map.of("verify", r, "entries", r.manifest().entries)) : Json.of(r));
            return ExitCode.OK.code;
        }
        System.out.printf("backup %s of plan '%s' (host %s, %s) is intact: %s, %s, every SHA-256 "
                + "matches; checked in %s%n", r.id(), r.plan(), r.host(), r.created(),
                Units.count(r.files(), "file", "files"),
                Units.bytes(r.bytes()), Units.seconds(r.durationMs()));
        if (r.incomplete()) {
            System.out.printf("but INCOMPLETE: %s the plan names could not be read when it was made (it ended with "
                    + "exit code 7) and %s not in it:%n", Units.count(r.missing().size(), "entry", "entries"),
                    r.missing().size() == 1 ? "is" : "are");
            r.missing().forEach(m -> System.out.println("    missing: " + m));
        }
        if (list) {
            r.manifest().entries.forEach(e -> System.out.println(line(e)));
        }
        return ExitCode.OK.code;
    }

    /**
     * Every backup, not only the latest: the older ones are what retention keeps for a bad day, and a damaged one
     * should be found by a schedule, not on that day. Each stored object is read once; one that is missing or
     * damaged fails the backups that need it, and is named with them.
     */
    private int verifyAll(TargetOption.Selection selected) {
        if (list) {
            throw FiresafeException.usage("--list shows one backup: give its id or 'latest'");
        }
        VerifyAllResult result;
        Progress progress = ProgressLine.forTerminal(json, 0);
        try {
            result = service.verifyAll(selected.target(), selected.plan(), progress);
        } finally {
            ProgressLine.end(progress);
        }
        Map<String, Long> incomplete = incomplete(selected);
        if (json) {
            System.out.println(Json.of(Map.of("target", result.target(), "backups", result.backups(), "objects",
                    result.objects(), "objectsRead", result.objectsRead(), "incomplete", incomplete)));
        } else {
            text(result, incomplete).forEach(System.out::println);
        }
        return result.backups().stream().filter(c -> !c.ok()).mapToInt(VerifyAllResult.Backup::exitCode)
                .findFirst().orElse(ExitCode.OK.code);
    }

    /**
     * The backups of the selection made with entries they could not read, and how many each lacks (issue #19:
     * marked in verify all too; -1 where the mark does not say).
     */
    private Map<String, Long> incomplete(TargetOption.Selection selected) {
        Map<String, Long> counts = new java.util.TreeMap<>();
        try (Store t = stores.open(selected.target())) {
            BackupCatalog.Listing listing = BackupCatalog.listMarked(t, selected.plan());
            for (BackupCatalog.Ref r : listing.backups()) {
                if (listing.incomplete().contains(r.id())) {
                    counts.put(r.id(), BackupCatalog.missingCount(t, r.plan(), r.id()).orElse(-1));
                }
            }
        } catch (java.io.IOException e) {
            // the verdicts stand; only the marks are not shown
        }
        return counts;
    }

    static List<String> text(VerifyAllResult result) {
        return text(result, Map.of());
    }

    /** One line per backup, then one per missing or damaged object, then the count. */
    static List<String> text(VerifyAllResult result, Map<String, Long> incomplete) {
        List<String> out = new ArrayList<>();
        for (VerifyAllResult.Backup c : result.backups()) {
            Long missing = incomplete.get(c.id());
            out.add(c.ok() ? String.format("intact   %s  %-16s %s, %s%s", c.id(), c.plan(),
                    Units.count(c.files(), "file", "files"), Units.bytes(c.bytes()), missing == null ? ""
                            : "; INCOMPLETE: " + (missing < 0 ? "entries" : Units.count(missing, "entry", "entries"))
                            + " missing (verify " + c.id() + " names them)")
                    : String.format("FAILED   %s  %-16s exit %d: %s", c.id(), c.plan(), c.exitCode(), c.error()));
        }
        for (VerifyAllResult.ObjectProblem p : result.objects()) {
            out.add(String.format("%-8s %s: %s; %s", p.problem().startsWith("missing") ? "MISSING" : "DAMAGED",
                    p.object(), p.problem(), p.breaks().isEmpty() ? "no backup listed needs what it lacks"
                            : "breaks " + String.join(", ", p.breaks())));
        }
        long failed = result.backups().stream().filter(c -> !c.ok()).count();
        out.add(String.format("%d of %d backup(s) in %s intact (%d object(s) read, each once)",
                result.backups().size() - failed, result.backups().size(), result.target(), result.objectsRead()));
        return out;
    }

    /** Like {@code tar tv}: checked before it is shown, since only a verified manifest is worth reading. */
    static String line(Manifest.Entry e) {
        String name = e.path().replaceAll("\\p{Cntrl}", "?"); // a name with a newline stays one line
        String shown = switch (e.type()) {
            case Manifest.Entry.DIR -> name + "/";
            case Manifest.Entry.SYMLINK -> name + " -> " + e.target().replaceAll("\\p{Cntrl}", "?");
            default -> name;
        };
        return String.format("%-7s %5s %12s  %s  %s", e.type(), e.mode() == null ? "-" : e.mode(),
                e.size() == null ? "-" : e.size(), e.mtime() == null ? "-" : e.mtime(), shown);
    }
}
