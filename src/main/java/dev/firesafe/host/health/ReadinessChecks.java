package dev.firesafe.host.health;

import dev.firesafe.core.FiresafeException;
import dev.firesafe.crypto.KeySource;
import dev.firesafe.host.functions.FunctionCatalog;
import dev.firesafe.plan.Plan;
import dev.firesafe.plan.FunctionDefinition;
import io.smallrye.health.api.HealthRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import dev.firesafe.host.Serving;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import java.util.LinkedHashSet;
import java.util.List;

/**
 * Readiness: can this host make a backup now? Its function definitions load, its encryption key is readable
 * (the public key in write-only mode), and every target it writes answers a listing in time. Messages name
 * files and settings, never key material.
 */
@ApplicationScoped
public class ReadinessChecks {

    private final KeySource keys;
    private final FunctionCatalog functions;
    private final BackupListings listings;
    private final HealthRegistry registry;

    @Inject
    public ReadinessChecks(KeySource keys, FunctionCatalog functions, BackupListings listings,
                           @Readiness HealthRegistry registry) {
        this.keys = keys;
        this.functions = functions;
        this.listings = listings;
        this.registry = registry;
    }

    void register(@Observes StartupEvent start, Serving serving) {
        if (!serving.http()) {
            return; // a one-shot command: nobody can ask, so no listing or parsing at start
        }
        registry.register("functions", this::functions);
        registry.register("keys", this::keys);
        registry.register("targets", this::targets);
    }

    HealthCheckResponse functions() {
        HealthCheckResponseBuilder r = HealthCheckResponse.named("functions");
        try {
            // The functions as the host loaded them (plan, triggers and target schemes; first bad file named)
            List<String> names = functions.loadAll().stream().map(FunctionDefinition::name).toList();
            return r.up().withData("functions", String.join(",", names)).build();
        } catch (FiresafeException e) {
            return r.down().withData("error", e.getMessage()).build();
        }
    }

    HealthCheckResponse keys() {
        HealthCheckResponseBuilder r = HealthCheckResponse.named("keys");
        try {
            keys.forBackup();
            return r.up().build();
        } catch (FiresafeException e) {
            return r.down().withData("error", e.getMessage()).build();
        }
    }

    HealthCheckResponse targets() {
        HealthCheckResponseBuilder r = HealthCheckResponse.named("targets");
        boolean up = true;
        for (Plan plan : loadedPlans()) {
            for (String uri : new LinkedHashSet<>(functions.targetsOf(plan))) {
                BackupListings.Newest n = listings.newest(uri, plan.name());
                up &= n.reachable();
                r.withData(plan.name() + " " + n.target(), n.reachable() ? "reachable" : n.error());
            }
        }
        return r.status(up).build();
    }

    /** The plans of the loaded functions; none when loading failed (the functions check says why). */
    private List<Plan> loadedPlans() {
        return functions.loadedOrNone().stream().map(FunctionDefinition::plan).toList();
    }
}
