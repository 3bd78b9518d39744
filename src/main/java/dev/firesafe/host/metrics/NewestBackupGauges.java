package dev.firesafe.host.metrics;

import dev.firesafe.core.FiresafeException;
import dev.firesafe.host.functions.FunctionCatalog;
import dev.firesafe.plan.FunctionDefinition;
import java.util.List;
import dev.firesafe.host.health.BackupListings;
import dev.firesafe.plan.Plan;
import dev.firesafe.store.StoreRegistry;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import dev.firesafe.host.Serving;
import jakarta.inject.Inject;


/**
 * {@code firesafe_backup_newest_timestamp_seconds{function,target}}: when the newest backup on each target of
 * each function was made, read from the target itself (through the health checks' cached listing). Unlike the
 * last-success gauge it survives restarts and counts backups other hosts or CronJobs made, so the staleness alert
 * rests on it. NaN while a target cannot be listed or holds no backup of the function.
 */
@ApplicationScoped
public class NewestBackupGauges {

    private final MeterRegistry registry;
    private final FunctionCatalog functions;
    private final StoreRegistry stores;
    private final BackupListings listings;

    @Inject
    public NewestBackupGauges(MeterRegistry registry, FunctionCatalog functions, StoreRegistry stores,
                              BackupListings listings) {
        this.registry = registry;
        this.functions = functions;
        this.stores = stores;
        this.listings = listings;
    }

    void register(@Observes StartupEvent start, Serving serving) {
        if (!serving.http()) {
            return; // a one-shot command: nobody can ask, so no listing or parsing at start
        }
        for (FunctionDefinition f : functions.loadedOrNone()) {
            Plan plan = f.plan();
            for (String uri : functions.targetsOf(plan)) {
                String label;
                try {
                    label = stores.describe(uri);
                } catch (FiresafeException e) {
                    continue;
                }
                Gauge.builder("firesafe.backup.newest.timestamp.seconds", () -> newest(uri, plan.name()))
                        .description("When the newest backup on the target was made (Unix time)")
                        .tags(FiresafeMetrics.FUNCTION, plan.name(), FiresafeMetrics.TARGET, label)
                        .strongReference(true).register(registry);
            }
        }
    }

    private double newest(String uri, String plan) {
        BackupListings.Newest n = listings.newest(uri, plan);
        return n.time() == null ? Double.NaN : n.time().toEpochMilli() / 1000.0;
    }
}
