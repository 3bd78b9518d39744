package dev.firesafe.cli;

import dev.firesafe.core.FiresafeException;
import dev.firesafe.core.FiresafeConfig;
import dev.firesafe.plan.Plan;
import dev.firesafe.plan.PlanRepository;

/**
 * What list/verify/restore read. The target: --target if given, else the only target of --plan (or "default"),
 * else the configured default target. The plan: the name --plan's function file files its backups under, which
 * is the file's name unless its {@code plan.name} says otherwise (null without --plan: every plan).
 */
final class TargetOption {

    record Selection(String target, String plan) {
    }

    private TargetOption() {
    }

    static Selection select(String target, String planOption, PlanRepository plans, FiresafeConfig config) {
        Plan plan = target == null || planOption != null
                ? plans.find(planOption == null ? "default" : planOption, true) : null;
        return new Selection(target != null ? target : onlyTarget(plan, config),
                planOption == null ? null : plan.name());
    }

    private static String onlyTarget(Plan plan, FiresafeConfig config) {
        if (plan.targets().size() > 1) {
            throw FiresafeException.usage("plan '" + plan.name() + "' has several targets: choose one with "
                    + "--target");
        }
        return plan.targetsOrDefault(config.defaultTarget()).get(0);
    }
}
