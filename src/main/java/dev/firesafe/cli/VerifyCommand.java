package dev.firesafe.cli;

import dev.firesafe.ExitCode;
import dev.firesafe.FiresafeException;
import dev.firesafe.archive.Manifest;
import dev.firesafe.backup.BackupCatalog;
import dev.firesafe.backup.Progress;
import dev.firesafe.plan.FiresafeConfig;
import dev.firesafe.plan.PlanRepository;
import dev.firesafe.restore.RestoreResult;
import dev.firesafe.restore.RestoreService;
import dev.firesafe.io.Failures;
import dev.firesafe.target.Target;
import dev.firesafe.target.Targets;
import jakarta.inject.Inject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "verify", description = "Decrypt a backup and check every file against its manifest; "
        + "writes nothing.")
class VerifyCommand implements Callable<Integer> {

    /** The id that checks every backup on the target, oldest first. */
    static final String ALL = "all";

    @Parameters(index = "0", defaultValue = "latest", description = "Backup id, 'latest' (default), or 'all': every "
            + "backup on the target (of --plan, if given), oldest first; exit 0 only if every one is intact.")
    String id;

    @Option(names = "--target", description = "Target holding the backup (default: the plan's target).")
    String target;

    @Option(names = "--plan", description = "With 'latest': newest backup of this plan (without it: of the one "
            + "plan the target holds; several plans there need --plan).")
    String plan;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Option(names = "--list", description = "Then list what the backup holds, one entry a line (type, mode, size, "
            + "time, name as restore --include matches it); with --json as \"entries\".")
    boolean list;

    private final PlanRepository plans;
    private final FiresafeConfig config;
    private final RestoreService service;

    @Inject
    VerifyCommand(PlanRepository plans, FiresafeConfig config, RestoreService service) {
        this.plans = plans;
        this.config = config;
        this.service = service;
    }

    @Override
    public Integer call() {
        if (json) {
            Json.prepareInBackground();
        }
        TargetOption.Selection selected = TargetOption.select(target, plan, plans, config);
        if (ALL.equals(id)) {
            return verifyAll(selected);
        }
        Progress progress = ProgressLine.forTerminal(json, 0);
        RestoreResult r;
        try {
            r = service.verify(selected.target(), id, selected.plan(), progress);
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

    /** One result per backup on the target. */
    /** {@code missing}: entries it lacks because they could not be read when it was made (incomplete). */
    record Checked(String id, String plan, boolean ok, int exitCode, String error, long files, long bytes,
                   int missing, boolean incomplete) {
    }

    /**
     * Every backup, not only the latest: the older ones are what retention keeps for a bad day, and a damaged one
     * should be found by a schedule, not on that day. One failure does not stop the others.
     */
    private int verifyAll(TargetOption.Selection selected) {
        if (list) {
            throw FiresafeException.usage("--list shows one backup: give its id or 'latest'");
        }
        Target t = new Targets(config).open(selected.target());
        String plan = selected.plan();
        List<BackupCatalog.Ref> refs;
        try {
            refs = BackupCatalog.list(t, plan);
        } catch (IOException e) {
            throw Failures.classify(e, "cannot list " + t.describe());
        }
        if (refs.isEmpty()) {
            throw new FiresafeException(ExitCode.TARGET, "no backups" + (plan == null ? "" : " of plan '" + plan + "'")
                    + " in " + t.describe());
        }
        List<Checked> checked = new ArrayList<>();
        for (BackupCatalog.Ref ref : refs) {
            Checked c;
            try {
                RestoreResult r = service.verify(selected.target(), ref.id(), ref.plan(), Progress.NONE);
                c = new Checked(ref.id(), ref.plan(), true, ExitCode.OK.code, null, r.files(), r.bytes(),
                        r.missing().size(), r.incomplete());
            } catch (FiresafeException e) {
                c = new Checked(ref.id(), ref.plan(), false, e.exitCode().code, e.getMessage(), 0, 0, 0, false);
            }
            checked.add(c);
            if (!json) {
                System.out.println(c.ok() ? String.format("intact   %s  %-16s %s, %s%s", c.id(), c.plan(),
                        Units.count(c.files(), "file", "files"), Units.bytes(c.bytes()), c.incomplete()
                        ? "; INCOMPLETE: "
                        + Units.count(c.missing(), "entry", "entries") + " missing (verify " + c.id()
                        + " names them)" : "") : String.format("FAILED   %s  %-16s exit %d: %s", c.id(),
                        c.plan(), c.exitCode(), c.error()));
            }
        }
        long failed = checked.stream().filter(c -> !c.ok()).count();
        long incomplete = checked.stream().filter(Checked::incomplete).count();
        if (json) {
            System.out.println(Json.of(Map.of("target", t.describe(), "backups", checked)));
        } else {
            System.out.printf("%d of %d backup(s) in %s intact%s%n", checked.size() - failed, checked.size(),
                    t.describe(), incomplete == 0 ? "" : "; " + incomplete + " of them incomplete (made with "
                    + "files it could not read, exit code 7)");
        }
        return checked.stream().filter(c -> !c.ok()).mapToInt(Checked::exitCode).findFirst()
                .orElse(ExitCode.OK.code);
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
