package dev.firesafe.cli;

import dev.firesafe.archive.Manifest;
import dev.firesafe.backup.Progress;
import dev.firesafe.plan.FiresafeConfig;
import dev.firesafe.plan.PlanRepository;
import dev.firesafe.restore.RestoreResult;
import dev.firesafe.restore.RestoreService;
import jakarta.inject.Inject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.Map;

@Command(name = "verify", description = "Decrypt a backup and check every file against its manifest; "
        + "writes nothing.")
class VerifyCommand implements Runnable {

    @Parameters(index = "0", defaultValue = "latest", description = "Backup id, or 'latest' (default).")
    String id;

    @Option(names = "--target", description = "Target holding the backup (default: the plan's target).")
    String target;

    @Option(names = "--plan", description = "With 'latest': newest backup of this plan.")
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
    public void run() {
        if (json) {
            Json.prepareInBackground();
        }
        Progress progress = ProgressLine.forTerminal(json, 0);
        RestoreResult r;
        try {
            r = service.verify(TargetOption.resolve(target, plan, plans, config), id, plan, progress);
        } finally {
            ProgressLine.end(progress);
        }
        if (json) {
            System.out.println(list ? Json.of(Map.of("verify", r, "entries", r.manifest().entries)) : Json.of(r));
            return;
        }
        System.out.printf("backup %s of plan '%s' (host %s, %s) is intact: %d files, %s, every SHA-256 "
                + "matches; checked in %s%n", r.id(), r.plan(), r.host(), r.created(), r.files(),
                Units.bytes(r.bytes()), Units.seconds(r.durationMs()));
        if (list) {
            r.manifest().entries.forEach(e -> System.out.println(line(e)));
        }
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
