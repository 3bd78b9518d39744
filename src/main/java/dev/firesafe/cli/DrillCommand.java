package dev.firesafe.cli;

import dev.firesafe.app.Services;

import dev.firesafe.engine.drill.DrillResult;
import dev.firesafe.engine.drill.DrillService;
import dev.firesafe.plan.PlanRepository;
import dev.firesafe.postgres.PostgresRestore;
import jakarta.inject.Inject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

@Command(name = "drill", description = "Restore drill: restore the latest backup of a function from each of its "
        + "targets into a scratch folder (removed afterwards), check every file, report the time it took. Exits "
        + "non-zero when any target fails.")
class DrillCommand implements Callable<Integer> {

    @Parameters(index = "0", arity = "0..1", defaultValue = "default", paramLabel = "FUNCTION",
            description = "Function (plan) to drill: functions/FUNCTION.yaml. Default: ${DEFAULT-VALUE}.")
    String function;

    @Option(names = "--target", paramLabel = "URI", description = "Drill only this target.")
    String target;

    @Option(names = "--postgres", paramLabel = "URL", description = "Also replay the backup's PostgreSQL dumps "
            + "into this scratch server: postgresql://USER@HOST:PORT/ (one target at a time).")
    String postgres;

    @Option(names = "--postgres-pitr", description = "Point-in-time recovery drill: restore the newest base backup "
            + "and the archived WAL (restore --postgres-pitr, to the newest WAL) into a scratch cluster, start it on a "
            + "free port, check that it answers SELECT 1 (and --query), report the RTO, stop and remove it.")
    boolean postgresPitr;

    @Option(names = "--query", paramLabel = "SQL", description = "With --postgres-pitr: also run this query on the "
            + "recovered server; the drill fails when it fails.")
    String query;

    @Option(names = "--database", paramLabel = "NAME", defaultValue = "postgres", description = "With "
            + "--postgres-pitr: the database --query runs in. Default: ${DEFAULT-VALUE}.")
    String database;

    @Option(names = "--run-as", paramLabel = "USER", defaultValue = "postgres", description = "With "
            + "--postgres-pitr, when run as root: the user the scratch server runs as. Default: ${DEFAULT-VALUE}.")
    String runAs;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    private final PlanRepository plans;
    private final DrillService drills;
    private final dev.firesafe.crypto.KeySource keys;

    @Inject
    DrillCommand(Services services) {
        this.plans = services.plans();
        this.drills = services.drills();
        this.keys = services.keys();
    }

    @Override
    public Integer call() {
        if (json) {
            Json.prepareInBackground();
        }
        // with --target, a function without a file is fine: `backup --source ... --target ...` makes such backups
        // every target's outcome is printed below (or in the JSON): no log line besides it
        if (postgresPitr && postgres != null) {
            throw dev.firesafe.core.FiresafeException.usage("--postgres replays dumps; --postgres-pitr recovers base "
                    + "backups and WAL: give one of them");
        }
        if (!postgresPitr && (query != null)) {
            throw dev.firesafe.core.FiresafeException.usage("--query goes with --postgres-pitr");
        }
        DrillResult r = postgresPitr ? pitr() : drills.drill(plans.find(function, target != null), target, postgres,
                false);
        if (json) {
            System.out.println(Json.of(r));
            return r.exitCode();
        }
        for (DrillResult.TargetDrill t : r.targets()) {
            if (t.ok() && postgresPitr) {
                System.out.printf("ok      %s: base backup %s and its WAL %s; RTO %s%n", t.target(), t.backupId(),
                        t.backupCreated(), Units.seconds(t.restoreMs()));
            } else if (t.ok()) {
                System.out.printf("ok      %s: backup %s (%s) restored and checked: %s, %s in %s%n",
                        t.target(), t.backupId(), t.backupCreated(), Units.count(t.files(), "file", "files"),
                        Units.bytes(t.bytes()),
                        Units.seconds(t.restoreMs()));
            } else {
                System.out.printf("FAILED  %s: %s%n", t.target(), t.error());
                t.differences().forEach(d -> System.out.println("        " + d));
            }
            for (PostgresRestore.Replayed p : t.replayed()) {
                System.out.printf("        replayed %s with %s%s%n", p.file(), p.tool(),
                        p.errors() == 0 ? "" : " (" + p.errors() + " error(s) reported, e.g. " + p.firstErrors() + ")");
            }
        }
        System.out.printf("drill of '%s': %s%n", r.plan(), r.ok() ? "PASSED, every target restores"
                : "FAILED (exit " + r.exitCode() + ")");
        return r.exitCode();
    }

    /** The restore_command of the scratch server: wal-fetch from the drilled target, its spool in pg_wal. */
    private DrillResult pitr() {
        var plan = plans.find(function, target != null);
        return drills.drillPitr(plan, target, query, database, runAs, uri -> data -> WalFetchLine.build(plan.name(),
                uri, data.resolve("pg_wal").resolve("firesafe-prefetch"), keys.masterKeyFile()));
    }
}
