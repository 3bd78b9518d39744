package dev.firesafe.cli;

import dev.firesafe.backup.BackupCatalog;
import dev.firesafe.backup.BackupId;
import dev.firesafe.io.Failures;
import dev.firesafe.plan.FiresafeConfig;
import dev.firesafe.plan.PlanRepository;
import dev.firesafe.target.Target;
import dev.firesafe.target.TargetUris;
import jakarta.inject.Inject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.util.List;

@Command(name = "list", description = "List the backups on a target, oldest first. Needs no key.")
class ListCommand implements Runnable {

    @Option(names = "--target", description = "Target to list (default: the plan's target).")
    String target;

    @Option(names = "--plan", description = "Only backups of this plan.")
    String plan;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Inject
    PlanRepository plans;

    @Inject
    FiresafeConfig config;

    record Row(String id, String plan, String created, long size) {
    }

    @Override
    public void run() {
        Target t = TargetUris.open(TargetOption.resolve(target, plan, plans, config));
        List<BackupCatalog.Ref> refs;
        try {
            refs = BackupCatalog.list(t, plan);
        } catch (IOException e) {
            throw Failures.classify(e, "cannot list " + t.describe());
        }
        List<Row> rows = refs.stream().map(r -> new Row(r.id(), r.plan(), BackupId.time(r.id()).toString(),
                r.size())).toList();
        if (json) {
            System.out.println(Json.of(new JsonView(t.describe(), rows)));
            return;
        }
        System.out.printf("%-30s %-16s %10s%n", "ID", "PLAN", "SIZE");
        rows.forEach(r -> System.out.printf("%-30s %-16s %10s%n", r.id(), r.plan(), Units.bytes(r.size())));
        System.out.printf("%d backup(s) in %s%n", rows.size(), t.describe());
    }

    record JsonView(String target, List<Row> backups) {
    }
}
