package dev.firesafe.plan;

import dev.firesafe.core.Durations;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import dev.firesafe.core.FiresafeException;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One checked trigger of a function file. {@code timer}: {@code every} (30s, 5m, 6h, 1d) or {@code cron} (five
 * Unix fields, {@code quarkus.scheduler.cron-type=unix}); neither means every 6 hours. {@code drill}: a restore
 * drill on the same kind of schedule, {@code every} or {@code cron}; neither means weekly. {@code startup}: optional
 * {@code delay} and {@code catch-up}. {@code message} and {@code http}: no options. A key that does not belong to
 * the trigger's type is an error, so a misplaced {@code every:} under {@code startup} is not silently ignored.
 */
public record TriggerSpec(Kind kind, Duration every, String cron, Duration delay, boolean catchUp) {

    /** The schedule of a timer that names none, and the catch-up age of a function with no timer. */
    public static final Duration DEFAULT_EVERY = Duration.ofHours(6);
    /** The schedule of a drill that names none: weekly (issue #7). */
    public static final Duration DEFAULT_DRILL_EVERY = Duration.ofDays(7);

    private static final CronParser CRON = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

    public enum Kind {
        TIMER, STARTUP, MESSAGE, HTTP, DRILL;

        /** Whether triggers of this kind fire on a schedule ({@code every} or {@code cron}). */
        public boolean scheduled() {
            return this == TIMER || this == DRILL;
        }
    }

    /** Checks every trigger of {@code file}; messages name the file, the trigger's position and the key. */
    public static List<TriggerSpec> parseAll(String file, List<FunctionFile.TriggerSection> sections) {
        List<TriggerSpec> specs = new ArrayList<>();
        if (sections == null) {
            return specs;
        }
        for (int i = 0; i < sections.size(); i++) {
            specs.add(parse(file + ": triggers[" + i + "]", sections.get(i)));
        }
        return specs;
    }

    static TriggerSpec parse(String where, FunctionFile.TriggerSection t) {
        if (t == null || t.type() == null) {
            throw FiresafeException.usage(where + ": 'type' is missing (timer, startup, message, http or drill)");
        }
        Kind kind = switch (t.type()) {
            case "timer" -> Kind.TIMER;
            case "startup" -> Kind.STARTUP;
            case "message" -> Kind.MESSAGE;
            case "http" -> Kind.HTTP;
            case "drill" -> Kind.DRILL;
            default -> throw FiresafeException.usage(where + ": type '" + t.type()
                    + "' is not one of timer, startup, message, http, drill");
        };
        if (t.channel() != null && !t.channel().equals("backup-requests")) {
            // one incoming channel feeds every function; its connector and address are configuration
            throw FiresafeException.usage(where + ": channel '" + t.channel() + "' is not 'backup-requests' "
                    + "(configure the broker address with mp.messaging.incoming.backup-requests.*)");
        }
        if (!kind.scheduled()) {
            refuse(where, t.type(), "every", t.every());
            refuse(where, t.type(), "cron", t.cron());
        }
        if (kind != Kind.STARTUP) {
            refuse(where, t.type(), "delay", t.delay());
            refuse(where, t.type(), "catch-up", t.catchUp());
        }
        if (kind != Kind.MESSAGE) {
            refuse(where, t.type(), "channel", t.channel());
        }
        return switch (kind) {
            case TIMER -> scheduled(Kind.TIMER, where, t, DEFAULT_EVERY);
            case DRILL -> scheduled(Kind.DRILL, where, t, DEFAULT_DRILL_EVERY);
            case STARTUP -> new TriggerSpec(kind, null, null,
                    t.delay() == null ? Duration.ZERO : Durations.parse(where + ": delay", t.delay()),
                    Boolean.TRUE.equals(t.catchUp()));
            default -> new TriggerSpec(kind, null, null, null, false);
        };
    }

    private static TriggerSpec scheduled(Kind kind, String where, FunctionFile.TriggerSection t,
                                         Duration defaultEvery) {
        if (t.every() != null && t.cron() != null) {
            throw FiresafeException.usage(where + ": a " + t.type() + " trigger takes 'every' or 'cron', not both");
        }
        if (t.cron() != null) {
            com.cronutils.model.Cron cron;
            try {
                cron = CRON.parse(t.cron()).validate();
            } catch (IllegalArgumentException e) {
                throw FiresafeException.usage(where + ": cron '" + t.cron() + "' is not a 5-field Unix cron "
                        + "expression like '0 3 * * *' (" + e.getMessage() + ")");
            }
            if (ExecutionTime.forCron(cron).nextExecution(ZonedDateTime.now()).isEmpty()) {
                // each field is valid but the date never comes (April 31st): the trigger would idle silently
                throw FiresafeException.usage(where + ": cron '" + t.cron() + "' never fires (no such date)");
            }
            return new TriggerSpec(kind, null, t.cron(), null, false);
        }
        Duration every = t.every() == null ? defaultEvery : Durations.parse(where + ": every", t.every());
        return new TriggerSpec(kind, every, null, null, false);
    }

    private static void refuse(String where, String type, String key, Object value) {
        if (value != null) {
            throw FiresafeException.usage(where + ": '" + key + "' does not apply to a " + type + " trigger");
        }
    }

    /**
     * How often this backup timer fires: {@code every}, or for a cron the gap between its next two fire times
     * after {@code now}. Empty for other kinds, drills included: a drill's schedule says nothing about how old
     * the newest backup may be.
     */
    public Optional<Duration> interval(ZonedDateTime now) {
        if (kind != Kind.TIMER) {
            return Optional.empty();
        }
        if (every != null) {
            return Optional.of(every);
        }
        ExecutionTime times = ExecutionTime.forCron(CRON.parse(cron));
        return times.nextExecution(now).flatMap(first -> times.nextExecution(first)
                .map(second -> Duration.between(first, second)));
    }

    /**
     * When this scheduled trigger fires next after {@code after}: {@code every} later, or the cron's next time
     * (empty for other kinds). Health uses it to follow the real schedule, whose gaps a cron may vary (weekends).
     */
    public Optional<ZonedDateTime> nextFire(ZonedDateTime after) {
        if (!kind.scheduled()) {
            return Optional.empty();
        }
        return every != null ? Optional.of(after.plus(every))
                : ExecutionTime.forCron(CRON.parse(cron)).nextExecution(after);
    }

    /** For logs and {@code GET /functions}: "timer every PT6H", "timer cron 0 3 * * *", "startup catch-up". */
    public String describe() {
        return switch (kind) {
            case TIMER -> every != null ? "timer every " + Durations.format(every) : "timer cron '" + cron + "'";
            case STARTUP -> "startup" + (delay.isZero() ? "" : " after " + Durations.format(delay))
                    + (catchUp ? " (catch-up only)" : "");
            case MESSAGE -> "message on backup-requests";
            case HTTP -> "http POST /functions/NAME";
            case DRILL -> "drill " + (every != null ? "every " + Durations.format(every) : "cron '" + cron + "'");
        };
    }
}
