package dev.firesafe.host.health;

import dev.firesafe.plan.TriggerSpec;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Optional;

/**
 * How often a function is meant to run: the shortest interval of its timer triggers ({@code every}, or the gap
 * between a cron's next two fire times), and when its newest backup turns stale. A function without a timer gets
 * the configured default interval.
 */
final class ScheduleInterval {

    private ScheduleInterval() {
    }

    /**
     * When a backup made at {@code newest} turns stale: once {@code factor} of the function's scheduled runs have
     * passed since it (2: at the second fire after it; 1.5: halfway between the first and second), the earliest
     * over its timers. For an {@code every} timer that is {@code newest + factor * every}. A cron is followed fire
     * by fire, so a weekday cron's Friday backup stays fresh over the weekend, where "factor times the gap between
     * the next two fires" would turn it stale every Sunday. Without a timer: {@code factor * fallback}.
     */
    static Instant staleAt(List<TriggerSpec> triggers, Instant newest, double factor, Duration fallback) {
        ZonedDateTime from = newest.atZone(ZoneId.systemDefault()); // cron fires in the host's zone
        return triggers.stream().filter(t -> t.kind() == TriggerSpec.Kind.TIMER)
                .map(t -> staleAt(t, from, factor)).flatMap(Optional::stream).min(Instant::compareTo)
                .orElse(newest.plusMillis((long) (fallback.toMillis() * factor)));
    }

    private static Optional<Instant> staleAt(TriggerSpec timer, ZonedDateTime newest, double factor) {
        int whole = Math.max(1, (int) Math.floor(factor));
        ZonedDateTime fire = newest;
        for (int i = 0; i < whole; i++) {
            Optional<ZonedDateTime> next = timer.nextFire(fire);
            if (next.isEmpty()) {
                return Optional.empty();
            }
            fire = next.get();
        }
        ZonedDateTime last = fire;
        return Optional.of(timer.nextFire(last).map(after -> last.toInstant().plusMillis(
                (long) ((factor - whole) * Duration.between(last, after).toMillis()))).orElse(last.toInstant()));
    }

    static Duration of(List<TriggerSpec> triggers, ZonedDateTime now, Duration fallback) {
        return triggers.stream()
                .map(t -> t.interval(now))
                .flatMap(Optional::stream)
                .min(Duration::compareTo)
                .orElse(fallback);
    }
}
