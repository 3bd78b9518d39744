package dev.firesafe.cli;

import dev.firesafe.ExitCode;
import dev.firesafe.backup.BackupResult;
import dev.firesafe.backup.BackupService;
import dev.firesafe.backup.Progress;
import dev.firesafe.plan.Plan;
import dev.firesafe.plan.PlanRepository;
import dev.firesafe.plan.SourceSpec;
import dev.firesafe.source.SourceSize;
import jakarta.inject.Inject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "backup", description = "Make one encrypted backup of a plan and write it to its target(s).")
class BackupCommand implements Callable<Integer> {

    @Option(names = "--plan", defaultValue = "default", description = "Plan to run (functions/NAME.yaml). "
            + "Default: ${DEFAULT-VALUE}.")
    String planName;

    @Option(names = "--source", description = "Back up this path instead of the plan's sources (repeatable).")
    List<String> sources;

    @Option(names = "--target", description = "Write here instead of the plan's targets (repeatable): "
            + "file:///path or a path.")
    List<String> targets;

    @Option(names = "--json", description = "Print one JSON object, no progress.")
    boolean json;

    @Inject
    PlanRepository plans;

    @Inject
    BackupService service;

    @Override
    public Integer call() {
        boolean fromCli = sources != null && !sources.isEmpty();
        Plan plan = plans.find(planName, fromCli);
        if (fromCli) {
            plan = plan.withSources(sources.stream().map(SourceSpec::of).toList());
        }
        if (targets != null && !targets.isEmpty()) {
            plan = plan.withTargets(targets);
        }
        Progress progress = ProgressLine.forTerminal(json, json || System.console() == null ? 0
                : SourceSize.estimate(plan.sources()));
        BackupResult r;
        try {
            r = service.run(plan, progress);
        } finally {
            ProgressLine.end(progress);
        }
        print(r);
        return r.ok() ? ExitCode.OK.code : ExitCode.TARGET.code;
    }

    private void print(BackupResult r) {
        if (json) {
            System.out.println(Json.of(new JsonView(r)));
            return;
        }
        System.out.printf("backup %s of plan '%s': %d files, %s read, %s written (encrypted, %s), %s%n", r.id(),
                r.plan(), r.files(), Units.bytes(r.bytesIn()), Units.bytes(r.bytesOut()), r.compression(),
                Units.seconds(r.durationMs()));
        for (BackupResult.TargetResult t : r.targets()) {
            System.out.printf("  %s  %s%s%s%n", t.ok() ? "ok    " : "FAILED", t.target(),
                    t.ok() ? "" : ": " + t.error(),
                    t.pruned().isEmpty() ? "" : " (retention removed " + t.pruned().size() + " old backup(s))");
            if (t.pruneError() != null) {
                System.err.println("warning: retention on " + t.target() + ": " + t.pruneError());
            }
        }
        r.warnings().forEach(w -> System.err.println("warning: " + w.path() + ": " + w.problem()));
        BackupResult.TargetResult good = r.targets().stream().filter(BackupResult.TargetResult::ok).findFirst()
                .orElse(null);
        if (good != null) {
            System.out.printf("restore it with:  java -jar target/quarkus-app/quarkus-run.jar restore %s --to "
                    + "DIR --target %s%n", r.id(), good.target());
        }
    }

    /** The --json shape (README, "backup --json"). */
    record JsonView(String id, String plan, boolean ok, long bytesIn, long bytesOut, long files, long durationMs,
                    String compression, List<BackupResult.TargetResult> targets, List<String> warnings) {
        JsonView(BackupResult r) {
            this(r.id(), r.plan(), r.ok(), r.bytesIn(), r.bytesOut(), r.files(), r.durationMs(), r.compression(),
                    r.targets(), r.warnings().stream().map(w -> w.path() + ": " + w.problem()).toList());
        }
    }
}
