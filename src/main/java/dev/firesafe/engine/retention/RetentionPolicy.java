package dev.firesafe.engine.retention;

import dev.firesafe.plan.Retention;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Decides which backups to keep, with restic's {@code forget} semantics (docs/retention.md):
 *
 * <ul>
 *   <li>{@code keep-last n}: the n newest backups.</li>
 *   <li>{@code keep-hourly/daily/weekly/monthly/yearly n}: walking from newest to oldest, the newest backup of
 *       each of the last n hours (days, ISO weeks, months, years) that have a backup. Periods without a backup
 *       do not count.</li>
 *   <li>A backup is kept if any rule keeps it; the reasons are all the rules that did.</li>
 *   <li>No rule at all means keep everything; and the newest backup is always kept, whatever the rules say, as
 *       is the backup retention runs after.</li>
 * </ul>
 * Periods are taken in UTC, the time zone of backup ids, so a daylight-saving change never merges two days.
 */
public final class RetentionPolicy {

    /**
     * A backup and when it was made. A map key: equals and hashCode written out, as a record's own go through
     * method handles that a cold JVM runs slowly (each backup ends with a retention pass over every backup).
     */
    public record Item(String id, Instant time) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Item other && id.equals(other.id) && time.equals(other.time);
        }

        @Override
        public int hashCode() {
            return 31 * id.hashCode() + time.hashCode();
        }
    }

    /** Why each backup is kept (in newest-first order), and which are to be removed. */
    public record Decision(Map<Item, List<String>> keep, List<Item> remove) {
    }

    private record Rule(String reason, Integer count, Function<ZonedDateTime, Object> period) {
    }

    private final List<Rule> rules;

    public RetentionPolicy(Retention r) {
        rules = new ArrayList<>();
        add(r.keepLast(), "last", null);
        add(r.keepHourly(), "hourly", t -> t.toLocalDate().toString() + "T" + t.getHour());
        add(r.keepDaily(), "daily", ZonedDateTime::toLocalDate);
        add(r.keepWeekly(), "weekly", t -> t.get(IsoFields.WEEK_BASED_YEAR) + "-W" + t.get(IsoFields
                .WEEK_OF_WEEK_BASED_YEAR));
        add(r.keepMonthly(), "monthly", t -> t.getYear() + "-" + t.getMonthValue());
        add(r.keepYearly(), "yearly", ZonedDateTime::getYear);
    }

    private void add(Integer count, String reason, Function<ZonedDateTime, Object> period) {
        if (count != null) {
            if (count < 0) {
                throw new IllegalArgumentException("keep-" + reason + " must be 0 or more, not " + count);
            }
            rules.add(new Rule(reason, count, period));
        }
    }

    public boolean keepsEverything() {
        return rules.isEmpty();
    }

    public Decision decide(List<Item> backups) {
        return decide(backups, null);
    }

    /**
     * As {@link #decide(List)}, and {@code justMade} (the backup that retention runs after; may be null) is kept
     * too: its id is its host's clock, and a clock that went back (no real-time clock before NTP, a clock that
     * once ran ahead) sorts it behind older backups, where the rules would remove the data just backed up.
     */
    public Decision decide(List<Item> backups, String justMade) {
        List<Item> newestFirst = backups.stream().sorted(Comparator.comparing(Item::time).thenComparing(Item::id)
                .reversed()).toList();
        Map<Item, List<String>> keep = new LinkedHashMap<>();
        List<Item> remove = new ArrayList<>();
        int[] left = rules.stream().mapToInt(Rule::count).toArray();
        Object[] lastPeriod = new Object[rules.size()];
        for (int i = 0; i < newestFirst.size(); i++) {
            Item item = newestFirst.get(i);
            ZonedDateTime t = item.time().atZone(ZoneOffset.UTC);
            List<String> reasons = new ArrayList<>();
            for (int r = 0; r < rules.size(); r++) {
                Rule rule = rules.get(r);
                Object period = rule.period == null ? item.id() : rule.period.apply(t);
                if (left[r] > 0 && !period.equals(lastPeriod[r])) {
                    lastPeriod[r] = period;
                    left[r]--;
                    reasons.add(rule.reason);
                }
            }
            if (rules.isEmpty()) {
                reasons.add("no retention rules");
            } else if (i == 0 && reasons.isEmpty()) {
                reasons.add("newest");
            } else if (reasons.isEmpty() && item.id().equals(justMade)) {
                reasons.add("just made");
            }
            if (reasons.isEmpty()) {
                remove.add(item);
            } else {
                keep.put(item, reasons);
            }
        }
        return new Decision(keep, remove);
    }
}
