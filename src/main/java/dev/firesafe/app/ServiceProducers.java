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
import dev.firesafe.host.functions.FunctionCatalog;
import dev.firesafe.host.notify.Notifier;
import dev.firesafe.host.notify.NotifyConfig;
import dev.firesafe.host.trigger.FunctionRunner;
import dev.firesafe.host.trigger.RunFinished;
import dev.firesafe.host.trigger.TriggerConfig;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import dev.firesafe.plan.PlanRepository;
import dev.firesafe.postgres.PostgresConfig;
import dev.firesafe.store.StoreRegistry;
import dev.firesafe.store.github.GitHubConfig;
import dev.firesafe.store.s3.S3Config;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.time.Clock;
import java.util.Optional;

/**
 * The Quarkus route into {@link Services}: the same factory a one-shot command uses, its services offered as
 * beans. Finished backups, drills and function runs are also fired as CDI events, which the host's metrics, health
 * cache and broker events observe.
 */
@Singleton
public class ServiceProducers {

    private final Services services;

    @Inject
    public ServiceProducers(FiresafeConfig firesafe, S3Config s3, GitHubConfig github, PostgresConfig postgres,
                            NotifyConfig notify, DrillConfig drill, TriggerConfig triggers,
                            @ConfigProperty(name = Services.AITHER_MASTER_KEY) Optional<String> aitherMasterKey,
                            Event<BackupFinished> backups, Event<DrillFinished> drills, Event<RunFinished> runs) {
        this.services = new Services(new Services.Settings(firesafe, s3, github, postgres, notify, drill, triggers,
                aitherMasterKey), System::getenv, Clock.systemUTC(),
                new Services.Observers(backups::fire, drills::fire, runs::fire));
    }

    /** The factory itself, for the command-line commands, which take what they need from it. */
    @Produces
    @Singleton
    Services services() {
        return services;
    }

    @Produces
    @Singleton
    StoreRegistry stores() {
        return services.stores();
    }

    @Produces
    @Singleton
    KeySource keys() {
        return services.keys();
    }

    @Produces
    @Singleton
    PlanRepository plans() {
        return services.plans();
    }

    @Produces
    @Singleton
    FunctionCatalog functions() {
        return services.functions();
    }

    @Produces
    @Singleton
    Notifier notifier() {
        return services.notifier();
    }

    @Produces
    @Singleton
    PruneService retention() {
        return services.retention();
    }

    @Produces
    @Singleton
    BackupService backups() {
        return services.backups();
    }

    @Produces
    @Singleton
    RestoreService restores() {
        return services.restores();
    }

    @Produces
    @Singleton
    DrillService drills() {
        return services.drills();
    }

    /** The one runner of function runs, which every trigger of the host calls. */
    @Produces
    @Singleton
    FunctionRunner runner() {
        return services.runner();
    }

    @PreDestroy
    void close() {
        services.close();
    }
}
