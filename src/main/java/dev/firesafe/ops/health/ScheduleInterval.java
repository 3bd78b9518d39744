package dev.firesafe.ops.health;

import dev.firesafe.FiresafeException;
import dev.firesafe.plan.Durations;
import dev.firesafe.plan.FunctionFile;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * How often a function is meant to run: the shortest {@code every} of its timer triggers. A cron trigger or no
 * timer gives the configured default interval; cron expressions are not second-guessed here.
 */
final class ScheduleInterval {

    private ScheduleInterval() {
    }

    static Duration of(List<FunctionFile.TriggerSection> triggers, Duration fallback) {
        return triggers.stream()
                .filter(t -> "timer".equals(t.type()) && t.every() != null)
                .map(t -> parse(t.every()))
                .flatMap(Optional::stream)
                .min(Duration::compareTo)
                .orElse(fallback);
    }

    private static Optional<Duration> parse(String every) {
        try {
            return Optional.of(Durations.parse("timer every", every));
        } catch (FiresafeException e) {
            try {
                return Optional.of(Duration.parse(every)); // ISO-8601, as Quarkus' scheduler also accepts
            } catch (RuntimeException notIso) {
                return Optional.empty();
            }
        }
    }
}
