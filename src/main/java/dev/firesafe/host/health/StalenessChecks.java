package dev.firesafe.host.health;

import dev.firesafe.core.FiresafeException;
import dev.firesafe.host.functions.FunctionCatalog;
import dev.firesafe.plan.FunctionDefinition;
import dev.firesafe.plan.Plan;
import dev.firesafe.plan.TriggerSpec;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.health.api.HealthRegistry;
import io.smallrye.health.api.Wellness;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import dev.firesafe.host.Serving;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

/**
 * One health check per function, {@code backup-age NAME}: DOWN when the newest backup on any of its targets has
 * outlived {@code firesafe.health.stale-factor} of its scheduled runs (2: the second fire after it has passed;
 * for an {@code every} timer, twice the interval) or there is none, with the ages in the check's data. They are wellness checks: they turn {@code /q/health} DOWN for monitoring, but not
 * {@code /q/health/ready}, so an orchestrator keeps routing triggers to a host whose backups are late.
 */
@ApplicationScoped
public class StalenessChecks {

    private final FunctionCatalog functions;
    private final HealthConfig config;
    private final BackupListings listings;
    private final HealthRegistry registry;
    private final Clock clock;

    @Inject
    public StalenessChecks(FunctionCatalog functions, HealthConfig config, BackupListings listings,
                           @Wellness HealthRegistry registry) {
        this(functions, config, listings, registry, Clock.systemUTC());
    }

    StalenessChecks(FunctionCatalog functions, HealthConfig config, BackupListings listings,
                    HealthRegistry registry, Clock clock) {
        this.clock = clock;
        this.functions = functions;
        this.config = config;
        this.listings = listings;
        this.registry = registry;
    }

    /** Registers the checks of the functions loaded at start; a broken folder shows in the readiness check. */
    void register(@Observes StartupEvent start, Serving serving) {
        if (!serving.http()) {
            return; // a one-shot command: nobody can ask, so no listing or parsing at start
        }
        for (FunctionDefinition f : functions.loadedOrNone()) {
            registry.register("backup-age " + f.name(), () -> check(f));
        }
    }

    HealthCheckResponse check(FunctionDefinition definition) {
        String function = definition.name();
        HealthCheckResponseBuilder response = HealthCheckResponse.named("backup-age " + function);
        Plan plan = definition.plan();
        List<TriggerSpec> triggers = definition.triggers();
        Duration interval = ScheduleInterval.of(triggers, clock.instant().atZone(ZoneOffset.UTC),
                config.defaultInterval());
        response.withData("function", function).withData("interval", interval.toString());
        Instant now = clock.instant();
        boolean up = true;
        Instant oldest = null;
        for (String target : functions.targetsOf(plan)) {
            BackupListings.Newest newest = listings.newest(target, plan.name());
            String state;
            if (!newest.reachable()) {
                up = false;
                state = "unreachable: " + newest.error();
            } else if (newest.ref() == null) {
                up = false;
                state = "no backup";
            } else {
                up &= !now.isAfter(staleAt(triggers, newest.time()));
                oldest = oldest == null || newest.time().isBefore(oldest) ? newest.time() : oldest;
                state = "newest " + newest.ref().id() + ", age " + Duration.between(newest.time(), now).toSeconds()
                        + " s";
            }
            response.withData(newest.target(), state);
        }
        // the age allowed to the oldest of the newest backups (to a backup made now, when there is none)
        Instant from = oldest == null ? now : oldest;
        response.withData("max-age-seconds", Duration.between(from, staleAt(triggers, from)).toSeconds());
        if (oldest != null) {
            response.withData("age-seconds", Duration.between(oldest, now).toSeconds());
        }
        return response.status(up).build();
    }

    private Instant staleAt(List<TriggerSpec> triggers, Instant newest) {
        return ScheduleInterval.staleAt(triggers, newest, config.staleFactor(), config.defaultInterval());
    }
}
