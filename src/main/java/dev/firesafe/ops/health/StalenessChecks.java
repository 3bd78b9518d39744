package dev.firesafe.ops.health;

import dev.firesafe.FiresafeException;
import dev.firesafe.ops.Functions;
import dev.firesafe.plan.FunctionDefinition;
import dev.firesafe.plan.Plan;
import dev.firesafe.plan.PlanRepository;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.health.api.HealthRegistry;
import io.smallrye.health.api.Wellness;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import dev.firesafe.ops.Serving;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

/**
 * One health check per function, {@code backup-age NAME}: DOWN when the newest backup on any of its targets is
 * older than {@code firesafe.health.stale-factor} times its schedule interval (or there is none), with the ages in
 * the check's data. They are wellness checks: they turn {@code /q/health} DOWN for monitoring, but not
 * {@code /q/health/ready}, so an orchestrator keeps routing triggers to a host whose backups are late.
 */
@ApplicationScoped
public class StalenessChecks {

    private final PlanRepository plans;
    private final Functions functions;
    private final HealthConfig config;
    private final BackupListings listings;
    private final HealthRegistry registry;
    private final Clock clock = Clock.systemUTC();

    @Inject
    public StalenessChecks(PlanRepository plans, Functions functions, HealthConfig config,
                           BackupListings listings, @Wellness HealthRegistry registry) {
        this.plans = plans;
        this.functions = functions;
        this.config = config;
        this.listings = listings;
        this.registry = registry;
    }

    /** Registers the checks of the functions defined at start; a broken folder shows in the readiness check. */
    void register(@Observes StartupEvent start, Serving serving) {
        if (!serving.http()) {
            return; // a one-shot command: nobody can ask, so no listing or parsing at start
        }
        for (String name : functions.names()) {
            registry.register("backup-age " + name, () -> check(name));
        }
    }

    HealthCheckResponse check(String function) {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("backup-age " + function);
        Plan plan;
        Duration interval;
        try {
            FunctionDefinition definition = plans.function(function);
            plan = definition.plan();
            interval = ScheduleInterval.of(definition.triggers(), clock.instant().atZone(ZoneOffset.UTC),
                    config.defaultInterval());
        } catch (FiresafeException e) {
            return response.down().withData("error", e.getMessage()).build();
        }
        Duration maxAge = Duration.ofMillis((long) (interval.toMillis() * config.staleFactor()));
        response.withData("function", function).withData("interval", interval.toString())
                .withData("max-age-seconds", maxAge.toSeconds());
        Instant now = clock.instant();
        boolean up = true;
        long worstAge = -1;
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
                long age = Duration.between(newest.time(), now).toSeconds();
                worstAge = Math.max(worstAge, age);
                up &= age <= maxAge.toSeconds();
                state = "newest " + newest.ref().id() + ", age " + age + " s";
            }
            response.withData(newest.target(), state);
        }
        if (worstAge >= 0) {
            response.withData("age-seconds", worstAge);
        }
        return response.status(up).build();
    }
}
