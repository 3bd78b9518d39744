package dev.firesafe.cli;

import dev.firesafe.FiresafeException;
import dev.firesafe.plan.FiresafeConfig;
import dev.firesafe.plan.Plan;
import dev.firesafe.plan.PlanRepository;

/**
 * Which target list/verify/restore read: --target if given, else the first target of --plan (or "default"),
 * else the configured default target.
 */
final class TargetOption {
    private TargetOption() {
    }

    static String resolve(String target, String planName, PlanRepository plans, FiresafeConfig config) {
        if (target != null) {
            return target;
        }
        Plan plan = plans.find(planName == null ? "default" : planName, true);
        if (plan.targets().size() > 1) {
            throw FiresafeException.usage("plan '" + plan.name() + "' has several targets: choose one with "
                    + "--target");
        }
        return plan.targetsOrDefault(config.defaultTarget()).get(0);
    }
}
