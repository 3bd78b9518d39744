package dev.firesafe.cli;

import dev.firesafe.engine.backup.BackupService;
import dev.firesafe.crypto.KeySource;
import dev.firesafe.engine.drill.DrillConfig;
import dev.firesafe.engine.drill.DrillService;
import dev.firesafe.host.notify.Notifier;
import dev.firesafe.host.notify.NotifyConfig;
import dev.firesafe.core.FiresafeConfig;
import dev.firesafe.plan.PlanRepository;
import dev.firesafe.engine.restore.RestoreService;
import dev.firesafe.engine.retention.PruneService;
import dev.firesafe.host.trigger.FunctionBackups;
import dev.firesafe.host.trigger.FunctionCatalog;
import dev.firesafe.host.trigger.FunctionRunner;
import dev.firesafe.host.trigger.TriggerConfig;
import io.smallrye.config.SmallRyeConfig;
import picocli.CommandLine;

import java.time.Clock;

/**
 * The composition root of a command started without Quarkus ({@link LeanLaunch}): what CDI injects under
 * Quarkus, built by hand from the same constructors. Of the observers of finished backups and drills only the
 * webhook matters to a process that exits right after: metrics and broker events belong to {@code serve} (under
 * Quarkus a one-shot command's channels are in-memory too, see {@link ProcessMode}). {@code serve} never runs
 * here; picocli still instantiates it to build its model.
 */
final class LeanCommands implements CommandLine.IFactory {

    private final SmallRyeConfig source;
    private final FiresafeConfig config;
    private final PlanRepository plans;
    private final KeySource keys;
    private final RestoreService restores;
    private final Notifier notifier;

    LeanCommands(SmallRyeConfig source) {
        this.source = source;
        this.config = source.getConfigMapping(FiresafeConfig.class);
        this.plans = new PlanRepository(config);
        this.keys = new KeySource(config);
        this.restores = new RestoreService(keys, config);
        this.notifier = new Notifier(source.getConfigMapping(NotifyConfig.class));
    }

    @Override
    public <K> K create(Class<K> type) throws Exception {
        Object command;
        if (type == InitCommand.class) {
            command = new InitCommand(keys, config);
        } else if (type == KeygenCommand.class) {
            command = new KeygenCommand(keys, config);
        } else if (type == BackupCommand.class) {
            command = new BackupCommand(plans, new BackupService(config, keys, notifier::backupFinished));
        } else if (type == ListCommand.class) {
            command = new ListCommand(plans, config);
        } else if (type == VerifyCommand.class) {
            command = new VerifyCommand(plans, config, restores);
        } else if (type == RestoreCommand.class) {
            command = new RestoreCommand(source.getOptionalValue("aither.master-key", String.class), plans, config,
                    restores);
        } else if (type == PruneCommand.class) {
            command = new PruneCommand(plans, new PruneService(), config);
        } else if (type == RunFunctionCommand.class) {
            FunctionCatalog catalog = new FunctionCatalog(plans);
            BackupService backups = new BackupService(config, keys, notifier::backupFinished);
            command = new RunFunctionCommand(catalog, new FunctionRunner(new FunctionBackups(catalog, backups),
                    source.getConfigMapping(TriggerConfig.class).debounce(), finished -> { }, Clock.systemUTC()));
        } else if (type == DrillCommand.class) {
            command = new DrillCommand(plans, new DrillService(keys, restores, config,
                    source.getConfigMapping(DrillConfig.class), notifier::drillFinished));
        } else {
            return CommandLine.defaultFactory().create(type);
        }
        return type.cast(command);
    }
}
