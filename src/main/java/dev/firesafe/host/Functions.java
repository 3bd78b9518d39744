package dev.firesafe.host;

import dev.firesafe.core.FiresafeException;
import dev.firesafe.core.FiresafeConfig;
import dev.firesafe.plan.Plan;
import dev.firesafe.plan.PlanRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.List;

/**
 * The defined functions as health checks and gauges see them: what can be loaded. A function that does not load
 * is left out here and reported by the readiness check {@code functions}, which loads them strictly.
 */
@ApplicationScoped
public class Functions {

    private final PlanRepository plans;
    private final FiresafeConfig config;

    @Inject
    public Functions(PlanRepository plans, FiresafeConfig config) {
        this.plans = plans;
        this.config = config;
    }

    /** Names of the function files; none when the folder cannot be read. */
    public List<String> names() {
        try {
            return plans.functionNames();
        } catch (FiresafeException e) {
            return List.of();
        }
    }

    /** The plans of the functions that load. */
    public List<Plan> loadablePlans() {
        List<Plan> loaded = new ArrayList<>();
        for (String name : names()) {
            try {
                loaded.add(plans.find(name, false));
            } catch (FiresafeException e) {
                // reported by the readiness check
            }
        }
        return loaded;
    }

    /** The targets a plan writes: its own, else the default target. */
    public List<String> targetsOf(Plan plan) {
        return plan.targetsOrDefault(config.defaultTarget());
    }
}
