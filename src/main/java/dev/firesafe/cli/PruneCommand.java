package dev.firesafe.cli;

import dev.firesafe.app.Services;

import dev.firesafe.engine.retention.RetentionPolicy;
import dev.firesafe.core.ExitCode;
import dev.firesafe.core.FiresafeConfig;
import dev.firesafe.plan.Plan;
import dev.firesafe.plan.PlanRepository;
import dev.firesafe.engine.retention.PruneService;
import dev.firesafe.store.Store;
import dev.firesafe.store.StoreRegistry;
import jakarta.inject.Inject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "prune", description = {"Apply the plan's retention (keep-last/hourly/daily/weekly/monthly/yearly)"
        + " to its backups on each target.", "Prints what it keeps and why. Needs no key."})
class PruneCommand implements Callable<Integer> {

    @Option(names = "--plan", defaultValue = "default", description = "Plan whose backups and rules to use "
            + "(default: ${DEFAULT-VALUE}).")
    String planName;

    @Option(names = "--target", description = "Prune here instead of the plan's targets (repeatable).")
    List<String> targets;

    @Option(names = "--dry-run", description = "Only show what would be removed.")
    boolean dryRun;

    @Option(names = "--json", description = "Print one JSON object per target.")
    boolean json;

    private final PlanRepository plans;
    private final PruneService service;
    private final FiresafeConfig config;
    private final StoreRegistry stores;

    @Inject
    PruneCommand(Services services) {
        this.plans = services.plans();
        this.service = services.retention();
        this.config = services.settings().firesafe();
        this.stores = services.stores();
    }

    @Override
    public Integer call() {
        Plan plan = plans.find(planName, true);
        List<String> uris = targets != null && !targets.isEmpty() ? targets
                : plan.targetsOrDefault(config.defaultTarget());
        boolean allOk = true;
        for (String uri : uris) {
            PruneService.Report r;
            try (Store store = stores.open(uri)) {
                r = service.prune(store, plan, dryRun);
            }
            allOk &= r.ok();
            if (json) {
                System.out.println(Json.of(r));
                continue;
            }
            System.out.printf("%s, plan '%s'%s:%n", r.target(), r.plan(), dryRun ? " (dry run)" : "");
            if (new dev.firesafe.engine.retention.RetentionPolicy(plan.retention()).keepsEverything()) {
                System.out.println("  no retention rules in this plan: everything is kept");
            }
            r.kept().forEach(k -> System.out.printf("  keep    %s  (%s)%n", k.id(), String.join(", ", k.reasons())));
            r.removed().forEach(id -> System.out.printf("  %s  %s%n", dryRun ? "would remove" : "removed", id));
            if (!r.ok()) {
                System.err.println("firesafe: prune FAILED on " + r.target() + ": " + r.error());
            }
        }
        return allOk ? ExitCode.OK.code : ExitCode.TARGET.code;
    }
}
