package dev.firesafe.cli;

import dev.firesafe.backup.Progress;
import dev.firesafe.plan.FiresafeConfig;
import dev.firesafe.plan.PlanRepository;
import dev.firesafe.restore.RestoreResult;
import dev.firesafe.restore.RestoreService;
import jakarta.inject.Inject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

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
            System.out.println(Json.of(r));
        } else {
            System.out.printf("backup %s of plan '%s' (host %s, %s) is intact: %d files, %s, every SHA-256 "
                    + "matches; checked in %s%n", r.id(), r.plan(), r.host(), r.created(), r.files(),
                    Units.bytes(r.bytes()), Units.seconds(r.durationMs()));
        }
    }
}
