package dev.firesafe.cli;

import dev.firesafe.app.Services;
import dev.firesafe.core.ExitCode;
import dev.firesafe.core.FiresafeConfig;
import dev.firesafe.core.FiresafeException;
import dev.firesafe.engine.wal.WalService;
import dev.firesafe.plan.PlanRepository;
import dev.firesafe.repository.wal.WalArchive;
import jakarta.inject.Inject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "wal-fetch", description = {"Write one archived PostgreSQL WAL file to DEST: restore_command = "
        + "'firesafe wal-fetch %%f %%p'. Prefetches the next segments into a spool folder. Exit 0 when fetched, "
        + "5 when the archive has no such file, 126 when the archive could not be read (target down, wrong key, "
        + "damaged): above 125 so that PostgreSQL stops recovery instead of ending it early. docs/pitr.md"})
class WalFetchCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "NAME", description = "The WAL file's name (%%f).")
    String name;

    @Parameters(index = "1", paramLabel = "DEST", description = "Where to write it (%%p).")
    String dest;

    @Option(names = "--target", description = "Archive to read (default: the plan's target).")
    String target;

    @Option(names = "--plan", description = "Plan whose archive to read (PLAN/wal/). Default: default.")
    String planName;

    @Option(names = "--spool", paramLabel = "DIR", description = "Folder for prefetched segments "
            + "(default: firesafe.cache-dir/wal-spool/PLAN).")
    Path spool;

    @Option(names = "--prefetch", paramLabel = "N", defaultValue = "16", description = "Segments to fetch ahead "
            + "(0: none). Default: ${DEFAULT-VALUE}.")
    int prefetch;

    private final PlanRepository plans;
    private final FiresafeConfig config;
    private final WalService wal;

    @Inject
    WalFetchCommand(Services services) {
        this.plans = services.plans();
        this.config = services.settings().firesafe();
        this.wal = services.wal();
    }

    @Override
    public Integer call() {
        try {
            String plan = plans.find(planName == null ? "default" : planName, true).name();
            TargetOption.Selection selected = TargetOption.select(target, planName == null ? "default" : planName,
                    plans, config);
            WalArchive.Fetched fetched = wal.fetch(plan, selected.target(), name, Path.of(dest),
                    spool != null ? spool : wal.defaultSpool(plan), Math.max(0, prefetch));
            if (fetched == WalArchive.Fetched.ABSENT) {
                System.err.println("firesafe: wal-fetch: " + name + " is not in the archive of plan '" + plan
                        + "' in " + selected.target());
                return ExitCode.TARGET.code;
            }
            if (fetched == WalArchive.Fetched.PARTIAL) {
                System.err.println("firesafe: wal-fetch: " + name + " was archived only partially (streaming); "
                        + "its newest partial version was written");
            }
            return 0;
        } catch (FiresafeException e) {
            if (e.exitCode() == ExitCode.USAGE) {
                throw e;
            }
            throw new FiresafeException(ExitCode.WAL_UNREADABLE, e.getMessage(), e);
        }
    }
}
