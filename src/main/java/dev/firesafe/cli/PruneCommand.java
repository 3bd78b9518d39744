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
        + " to its backups on each target, and reclaim the space removed backups held.",
        "Prints what it keeps and why, and the bytes it frees. Removing needs no key; reclaiming the space of "
                + "incremental backups needs the key that reads them (docs/retention.md)."})
class PruneCommand implements Callable<Integer> {

    @Option(names = "--plan", defaultValue = "default", description = "Plan whose backups and rules to use "
            + "(default: ${DEFAULT-VALUE}).")
    String planName;

    @Option(names = "--target", description = "Prune here instead of the plan's targets (repeatable).")
    List<String> targets;

    @Option(names = "--dry-run", description = "Only show what would be removed and the bytes it would free.")
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
            boolean keepsAll = new dev.firesafe.engine.retention.RetentionPolicy(plan.retention()).keepsEverything();
            text(r, keepsAll).forEach(System.out::println);
            if (!r.ok()) {
                System.err.println("firesafe: prune FAILED on " + r.target() + ": " + r.error());
            }
        }
        return allOk ? ExitCode.OK.code : ExitCode.TARGET.code;
    }

    /** The report for people: what is kept and why, what went, what was (or would be) reclaimed, and what not. */
    static List<String> text(PruneService.Report r, boolean keepsEverything) {
        boolean dry = r.dryRun();
        List<String> out = new java.util.ArrayList<>();
        out.add(String.format("%s, plan '%s'%s:", r.target(), r.plan(), dry ? " (dry run)" : ""));
        if (keepsEverything) {
            out.add("  no retention rules in this plan: everything is kept");
        }
        r.kept().forEach(k -> out.add(String.format("  keep    %s  (%s)", k.id(), String.join(", ", k.reasons()))));
        r.removed().forEach(id -> out.add(String.format("  %s  %s", dry ? "would remove" : "removed", id)));
        for (PruneService.Reclaimed c : r.reclaimed()) {
            out.add("rewrite".equals(c.action())
                    ? String.format("  %s %s's objects: %s -> %s (%s live)", dry ? "would rewrite" : "rewrote",
                            c.backup(), Units.bytes(c.bytesBefore()), Units.bytes(c.bytesAfter()),
                            Units.bytes(c.liveBytes()))
                    : String.format("  %s %s (%s): no kept backup needs %s", dry ? "would delete" : "deleted",
                            String.join(", ", c.objects()), Units.bytes(c.bytesBefore()),
                            c.objects().size() == 1 ? "it" : "them"));
        }
        out.add(String.format("  %s %s%s", dry ? "would free" : "freed", Units.bytes(r.freedBytes()),
                r.heldBytes() == 0 ? "" : "; removed backups still hold " + Units.bytes(r.heldBytes())));
        r.notes().forEach(n -> out.add("  note: " + n));
        return out;
    }
}
