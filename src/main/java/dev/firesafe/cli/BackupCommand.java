package dev.firesafe.cli;

import dev.firesafe.app.Services;

import dev.firesafe.core.ExitCode;
import dev.firesafe.archive.Manifest;
import dev.firesafe.engine.backup.BackupResult;
import dev.firesafe.engine.backup.BackupService;
import dev.firesafe.core.Progress;
import dev.firesafe.core.FiresafeException;
import dev.firesafe.plan.Plan;
import dev.firesafe.postgres.PgConnection;
import dev.firesafe.plan.PlanRepository;
import dev.firesafe.plan.SourceSpec;
import dev.firesafe.source.SourceSize;
import jakarta.inject.Inject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "backup", description = "Make one encrypted backup of a plan and write it to its target(s).")
class BackupCommand implements Callable<Integer> {

    @Option(names = "--plan", defaultValue = "default", description = "Plan to run (functions/NAME.yaml). "
            + "Default: ${DEFAULT-VALUE}.")
    String planName;

    @Option(names = "--source", description = "Back up this path instead of the plan's sources (repeatable).")
    List<String> sources;

    @Option(names = "--command", paramLabel = "NAME=CMD", description = "Also back up the stdout of CMD (run with "
            + "/bin/sh -c) as the file NAME, e.g. redis/dump.rdb='redis-cli --rdb -' (repeatable).")
    List<String> commands;

    @Option(names = "--postgres", paramLabel = "URL", description = "Also back up every database of this server "
            + "with pg_dumpall: postgresql://USER@HOST:PORT/ (password from PGPASSWORD or PGPASSFILE; repeatable).")
    List<String> postgres;

    @Option(names = "--postgres-base", paramLabel = "URL", description = "Also take a base backup of this whole "
            + "cluster with pg_basebackup, the start of a point-in-time recovery (its WAL: wal-push; docs/pitr.md): "
            + "postgresql://USER@HOST:PORT/ (repeatable).")
    List<String> postgresBase;

    @Option(names = "--target", description = "Write here instead of the plan's targets (repeatable): "
            + "file:///path or a path, s3://BUCKET/PREFIX, github://OWNER/REPO/PATH.")
    List<String> targets;

    @Option(names = "--json", description = "Print one JSON object, no progress.")
    boolean json;

    @Option(names = "--full", description = "Store everything again: a self-contained backup that needs no "
            + "earlier one (by default a backup stores only what its targets do not hold yet).")
    boolean full;

    private final PlanRepository plans;
    private final BackupService service;

    @Inject
    BackupCommand(Services services) {
        this.plans = services.plans();
        this.service = services.backups();
    }

    @Override
    public Integer call() {
        if (json) {
            Json.prepareInBackground();
        }
        boolean hasSources = sources != null && !sources.isEmpty();
        boolean fromCli = hasSources || commands != null || postgres != null || postgresBase != null;
        Plan plan = plans.find(planName, fromCli);
        if (hasSources) {
            plan = plan.withSources(sources.stream().map(SourceSpec::of).toList());
        }
        for (String c : commands == null ? List.<String>of() : commands) {
            int eq = c.indexOf('=');
            if (eq <= 0) {
                throw FiresafeException.usage("--command wants NAME=CMD, e.g. redis/dump.rdb='redis-cli --rdb -'");
            }
            plan = plan.plusCommand(PlanRepository.command("--command", c.substring(0, eq), c.substring(eq + 1),
                    null, Map.of()));
        }
        for (String url : postgres == null ? List.<String>of() : postgres) {
            plan = plan.plusPostgres(PgConnection.parseUrl(url));
        }
        for (String url : postgresBase == null ? List.<String>of() : postgresBase) {
            plan = plan.plusPostgres(PgConnection.parseUrl(url).asBase());
        }
        if (targets != null && !targets.isEmpty()) {
            plan = plan.withTargets(targets);
        }
        Progress progress = ProgressLine.forTerminal(json, json || System.console() == null ? 0
                : SourceSize.estimate(plan.sources()));
        BackupResult r;
        try {
            r = service.run(plan, progress, full);
        } catch (FiresafeException e) {
            if (json) { // a script reading stdout gets its object also when no target took the backup (issue #18)
                System.out.println(Json.of(new FailedView(plan, e)));
            }
            throw e;
        } finally {
            ProgressLine.end(progress);
        }
        print(r);
        if (r.ok() && r.exitCode() == ExitCode.INCOMPLETE) {
            System.err.println("firesafe: " + r.problem());
        }
        return r.exitCode().code;
    }

    private void print(BackupResult r) {
        if (json) {
            System.out.println(Json.of(new JsonView(r)));
            return;
        }
        System.out.printf("backup %s of plan '%s'%s: %s (%d unchanged, not read), %s (%s new, %s already stored), "
                        + "%s written (encrypted, %s), %s%n", r.id(), r.plan(), r.full() ? " (full)" : "",
                Units.count(r.files(), "file", "files"), r.filesUnchanged(), Units.bytes(r.bytesIn()),
                Units.bytes(r.bytesNew()),
                Units.bytes(r.bytesDeduplicated()), Units.bytes(r.bytesOut()), r.compression(),
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
                    + "DIR --target %s%n", r.id(), ShellWords.quote(good.target()));
        }
    }

    /**
     * The --json shape of a backup that stored nothing (every target failed, a source, a hook or the key did): no
     * id, {@code ok} false, the exit code and error, and each target named with that error.
     */
    record FailedView(String id, String plan, boolean ok, int exitCode, String error,
                      List<BackupResult.TargetResult> targets) {
        FailedView(Plan plan, FiresafeException e) {
            this(null, plan.name(), false, e.exitCode().code, e.getMessage(), plan.targets().stream()
                    .map(t -> new BackupResult.TargetResult(t, null, false, e.getMessage(), List.of(), null))
                    .toList());
        }
    }

    /** The --json shape (README, "backup --json"). */
    record JsonView(String id, String plan, boolean ok, long bytesIn, long bytesOut, long files, long durationMs,
                    String compression, List<BackupResult.TargetResult> targets, List<String> warnings,
                    List<String> missing, long bytesNew, long bytesDeduplicated, boolean full,
                    long filesUnchanged) {
        JsonView(BackupResult r) {
            this(r.id(), r.plan(), r.ok(), r.bytesIn(), r.bytesOut(), r.files(), r.durationMs(), r.compression(),
                    r.targets(), r.warnings().stream().map(w -> w.path() + ": " + w.problem()).toList(),
                    r.missing().stream().map(Manifest.Warning::path).toList(), r.bytesNew(), r.bytesDeduplicated(),
                    r.full(), r.filesUnchanged());
        }
    }
}
