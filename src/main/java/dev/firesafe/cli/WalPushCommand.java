package dev.firesafe.cli;

import dev.firesafe.app.Services;
import dev.firesafe.core.FiresafeConfig;
import dev.firesafe.engine.wal.WalService;
import dev.firesafe.plan.Plan;
import dev.firesafe.plan.PlanRepository;
import jakarta.inject.Inject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "wal-push", description = {"Archive one PostgreSQL WAL file, encrypted, to the plan's targets: "
        + "archive_command = 'firesafe wal-push %%p'. Exit 0 when every target holds it (also when it was stored "
        + "before with the same content); otherwise non-zero, and PostgreSQL keeps the file and tries again. A "
        + "different file under a name already archived is refused (exit 4). docs/pitr.md"})
class WalPushCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "PATH", description = "The WAL file (%%p); its name is the archived name.")
    String path;

    @Option(names = "--target", description = "Archive here instead of the plan's targets (repeatable).")
    List<String> targets;

    @Option(names = "--plan", defaultValue = "default", description = "Plan whose targets and name the archive "
            + "goes under (PLAN/wal/). Default: ${DEFAULT-VALUE}.")
    String planName;

    private final PlanRepository plans;
    private final FiresafeConfig config;
    private final WalService wal;

    @Inject
    WalPushCommand(Services services) {
        this.plans = services.plans();
        this.config = services.settings().firesafe();
        this.wal = services.wal();
    }

    @Override
    public Integer call() {
        Plan plan = plans.find(planName, true);
        List<String> uris = targets != null && !targets.isEmpty() ? targets
                : plan.targetsOrDefault(config.defaultTarget());
        Path file = Path.of(path);
        List<WalService.PushOutcome> outcomes = wal.push(plan.name(), uris, file.getFileName().toString(), file);
        int exit = 0;
        for (WalService.PushOutcome o : outcomes) {
            if (!o.ok()) {
                System.err.println("firesafe: wal-push: " + o.error().getMessage());
                exit = exit == 0 ? o.error().exitCode().code : exit;
            }
        }
        return exit;
    }
}
