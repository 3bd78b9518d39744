package dev.firesafe.plan;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/**
 * The YAML shape of {@code functions/NAME.yaml}: one plan and the triggers that run it. Unknown keys are errors,
 * so a typo (say {@code exlude:}) stops Firesafe instead of silently backing up too much.
 */
public record FunctionFile(PlanSection plan, List<TriggerSection> triggers) {

    public record PlanSection(String name, List<SourceSection> sources, List<String> targets, String compression,
                              Retention retention) {
    }

    public record SourceSection(String path, List<String> include, List<String> exclude) {
    }

    /**
     * A trigger: {@code timer} (with {@code every} or {@code cron}), {@code startup} (optional {@code delay},
     * {@code catch-up}), {@code message} or {@code http}. Wired up by the triggers issue; parsed and checked now.
     */
    public record TriggerSection(String type, String every, String cron, String delay,
                                 @JsonProperty("catch-up") Boolean catchUp, String channel) {
    }
}
