package dev.firesafe.app;

import dev.firesafe.core.FiresafeConfig;
import dev.firesafe.crypto.KeySource;
import dev.firesafe.engine.backup.BackupFinished;
import dev.firesafe.engine.backup.BackupService;
import dev.firesafe.engine.drill.DrillConfig;
import dev.firesafe.engine.drill.DrillFinished;
import dev.firesafe.engine.drill.DrillService;
import dev.firesafe.engine.restore.RestoreService;
import dev.firesafe.engine.retention.PruneService;
import dev.firesafe.engine.wal.WalService;
import dev.firesafe.host.functions.FunctionCatalog;
import dev.firesafe.host.notify.Notifier;
import dev.firesafe.host.notify.NotifyConfig;
import dev.firesafe.host.trigger.FunctionBackups;
import dev.firesafe.host.trigger.FunctionRunner;
import dev.firesafe.host.trigger.RunFinished;
import dev.firesafe.host.trigger.TriggerConfig;
import dev.firesafe.plan.PlanRepository;
import dev.firesafe.postgres.PostgresConfig;
import dev.firesafe.repository.BackupCatalog;
import dev.firesafe.store.StoreRegistry;
import dev.firesafe.store.github.GitHubBackend;
import dev.firesafe.store.github.GitHubConfig;
import dev.firesafe.store.local.LocalBackend;
import dev.firesafe.store.s3.S3Backend;
import dev.firesafe.store.s3.S3Config;
import io.smallrye.config.SmallRyeConfig;

import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * The composition root: every service of Firesafe, built from the configuration by plain constructors, each once
 * and only when first asked for. Both ways a process starts use it: a one-shot command without Quarkus
 * ({@code cli.LeanLaunch}) directly, and the Quarkus application through {@link ServiceProducers}, so each service
 * has one constructor and both routes wire the same observers.
 *
 * <p>Observers of finished backups and drills: the webhook {@link Notifier} always (a one-shot backup must report
 * its failure before it exits); beyond it, {@code more} (under Quarkus: the CDI event that the host's metrics,
 * health cache and broker events observe, which exist only in a running host). Finished function runs
 * ({@link FunctionRunner}) are heard by {@code more} only (under Quarkus: the CDI event the host's broker events
 * observe); the backup inside each run has already reached the notifier.
 */
public final class Services implements AutoCloseable {

    /**
     * The configuration the services read.
     *
     * @param aitherMasterKey the original system's key ({@code AITHER_MASTER_KEY}), for restores of its backups
     */
    public record Settings(FiresafeConfig firesafe, S3Config s3, GitHubConfig github, PostgresConfig postgres,
                           NotifyConfig notifications, DrillConfig drill, TriggerConfig triggers,
                           Optional<String> aitherMasterKey) {

        public static Settings of(SmallRyeConfig config) {
            return new Settings(config.getConfigMapping(FiresafeConfig.class),
                    config.getConfigMapping(S3Config.class), config.getConfigMapping(GitHubConfig.class),
                    config.getConfigMapping(PostgresConfig.class), config.getConfigMapping(NotifyConfig.class),
                    config.getConfigMapping(DrillConfig.class), config.getConfigMapping(TriggerConfig.class),
                    config.getOptionalValue(AITHER_MASTER_KEY, String.class));
        }
    }

    /** The property of the original system's key (env {@code AITHER_MASTER_KEY}). */
    public static final String AITHER_MASTER_KEY = "aither.master-key";

    /** What else hears of finished runs; {@link #NONE} for a one-shot command. */
    public record Observers(Consumer<BackupFinished> backups, Consumer<DrillFinished> drills,
                            Consumer<RunFinished> runs) {
        public static final Observers NONE = new Observers(b -> { }, d -> { }, r -> { });
    }

    private final Settings settings;
    private final UnaryOperator<String> env;
    private final Clock clock;
    private final Observers more;

    private final Lazy<StoreRegistry> stores = new Lazy<>(this::newStores);
    private final Lazy<KeySource> keys = new Lazy<>(() -> new KeySource(settings().firesafe()));
    private final Lazy<PlanRepository> plans = new Lazy<>(() -> new PlanRepository(settings().firesafe(), stores()));
    private final Lazy<FunctionCatalog> functions = new Lazy<>(() -> new FunctionCatalog(plans(),
            settings().firesafe()));
    private final Lazy<Notifier> notifier = new Lazy<>(() -> new Notifier(settings().notifications()));
    private final Lazy<PruneService> retention = new Lazy<>(() -> new PruneService(() -> keys().forReadingIfAny(),
            settings().firesafe().pruneGrace(), clock(), settings().firesafe().compressionLevel()));
    private final Lazy<BackupService> backups = new Lazy<>(this::newBackups);
    private final Lazy<RestoreService> restores = new Lazy<>(() -> new RestoreService(keys(), stores()));
    private final Lazy<DrillService> drills = new Lazy<>(this::newDrills);
    private final Lazy<FunctionRunner> runner = new Lazy<>(this::newRunner);
    private final Lazy<WalService> wal = new Lazy<>(() -> new WalService(settings().firesafe(), keys(), stores(),
            clock()));

    /**
     * @param env   stands in for the process environment (credentials, tokens); tests pass their own
     * @param clock the time backups are named and dated by
     */
    public Services(Settings settings, UnaryOperator<String> env, Clock clock, Observers more) {
        this.settings = settings;
        this.env = env;
        this.clock = clock;
        this.more = more;
    }

    /** A one-shot command's services: the real environment and clock, the notifier as the only observer. */
    public static Services of(SmallRyeConfig config) {
        return new Services(Settings.of(config), System::getenv, Clock.systemUTC(), Observers.NONE);
    }

    public Settings settings() {
        return settings;
    }

    public StoreRegistry stores() {
        return stores.get();
    }

    public KeySource keys() {
        return keys.get();
    }

    public PlanRepository plans() {
        return plans.get();
    }

    /** The one owner of the loaded function files: each is read once per process. */
    public FunctionCatalog functions() {
        return functions.get();
    }

    public Notifier notifier() {
        return notifier.get();
    }

    public PruneService retention() {
        return retention.get();
    }

    public BackupService backups() {
        return backups.get();
    }

    public RestoreService restores() {
        return restores.get();
    }

    public DrillService drills() {
        return drills.get();
    }

    /** PostgreSQL WAL archiving: wal-push, wal-fetch (issue #21). */
    public WalService wal() {
        return wal.get();
    }

    public Clock clock() {
        return clock;
    }

    /**
     * The one coordinator of function runs: the host's triggers and {@code run-function} use this same runner, its
     * finished runs heard by {@code more} (under Quarkus: the CDI event; a one-shot process has no listener).
     * {@link #close()} stops it.
     */
    public FunctionRunner runner() {
        return runner.get();
    }

    private StoreRegistry newStores() {
        return new StoreRegistry(List.of(new LocalBackend(),
                new S3Backend(settings.s3(), env, BackupCatalog::isBackupName),
                new GitHubBackend(settings.github(), env)));
    }

    private BackupService newBackups() {
        Notifier n = notifier();
        return new BackupService(settings.firesafe(), settings.postgres(), keys(), stores(), retention(), clock,
                finished -> {
                    n.backupFinished(finished);
                    more.backups().accept(finished);
                });
    }

    private FunctionRunner newRunner() {
        return new FunctionRunner(new FunctionBackups(functions(), backups()), settings.triggers().debounce(),
                more.runs(), clock);
    }

    private DrillService newDrills() {
        Notifier n = notifier();
        return new DrillService(keys(), restores(), stores(), settings.firesafe(), settings.postgres(),
                DrillService.scratchParent(settings.drill()), clock, finished -> {
                    n.drillFinished(finished);
                    more.drills().accept(finished);
                });
    }

    /** Starts no more function runs, then releases the clients the stores share (S3, GitHub). */
    @Override
    public void close() {
        if (runner.made()) {
            runner.get().stop();
        }
        if (stores.made()) {
            stores.get().close();
        }
    }

    /** Built on first use, once, also when two threads ask at the same moment. */
    private static final class Lazy<T> {
        private final Supplier<T> make;
        private volatile T value;

        Lazy(Supplier<T> make) {
            this.make = make;
        }

        T get() {
            T v = value;
            if (v == null) {
                synchronized (this) {
                    v = value;
                    if (v == null) {
                        v = make.get();
                        value = v;
                    }
                }
            }
            return v;
        }

        boolean made() {
            return value != null;
        }
    }
}
