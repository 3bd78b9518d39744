package dev.firesafe.ops.health;

import dev.firesafe.plan.TriggerSpec;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Optional;

/**
 * How often a function is meant to run: the shortest interval of its timer triggers ({@code every}, or the gap
 * between a cron's next two fire times). A function without a timer gets the configured default interval.
 */
final class ScheduleInterval {

    private ScheduleInterval() {
    }

    static Duration of(List<TriggerSpec> triggers, ZonedDateTime now, Duration fallback) {
        return triggers.stream()
                .map(t -> t.interval(now))
                .flatMap(Optional::stream)
                .min(Duration::compareTo)
                .orElse(fallback);
    }
}
