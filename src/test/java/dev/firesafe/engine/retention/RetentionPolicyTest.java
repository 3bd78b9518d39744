package dev.firesafe.engine.retention;

import dev.firesafe.plan.Retention;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two years of hourly backups (2024-01-01 to 2025-12-31, UTC) against restic's documented forget rules. The
 * expected sets are worked out by hand from the calendar (2025-12-31 is a Wednesday in ISO week 2026-W01), not
 * computed by the code under test.
 */
class RetentionPolicyTest {

    private static final Instant START = Instant.parse("2024-01-01T00:00:00Z");
    private static final Instant END = Instant.parse("2025-12-31T23:00:00Z");

    private static List<RetentionPolicy.Item> hourly(Set<String> skipDays) {
        List<RetentionPolicy.Item> items = new ArrayList<>();
        for (Instant t = START; !t.isAfter(END); t = t.plus(Duration.ofHours(1))) {
            if (!skipDays.contains(t.toString().substring(0, 10))) {
                items.add(new RetentionPolicy.Item("id-" + t, t));
            }
        }
        return items;
    }

    private static Set<String> kept(Retention r, List<RetentionPolicy.Item> items) {
        RetentionPolicy.Decision d = new RetentionPolicy(r).decide(items);
        assertEquals(items.size(), d.keep().size() + d.remove().size());
        return d.keep().keySet().stream().map(i -> i.time().toString()).collect(Collectors.toCollection(TreeSet::new));
    }

    private static Retention only(String rule, int n) {
        return new Retention(rule.equals("last") ? n : null, rule.equals("hourly") ? n : null,
                rule.equals("daily") ? n : null, rule.equals("weekly") ? n : null, rule.equals("monthly") ? n : null,
                rule.equals("yearly") ? n : null);
    }

    private static Set<String> set(String... times) {
        return new TreeSet<>(List.of(times));
    }

    @Test
    void eachRuleAlone() {
        List<RetentionPolicy.Item> items = hourly(Set.of());
        assertEquals(17544, items.size());
        assertEquals(set("2025-12-31T21:00:00Z", "2025-12-31T22:00:00Z", "2025-12-31T23:00:00Z"),
                kept(only("last", 3), items));
        assertEquals(set("2025-12-31T20:00:00Z", "2025-12-31T21:00:00Z", "2025-12-31T22:00:00Z",
                "2025-12-31T23:00:00Z"), kept(only("hourly", 4), items));
        assertEquals(set("2025-12-25T23:00:00Z", "2025-12-26T23:00:00Z", "2025-12-27T23:00:00Z",
                "2025-12-28T23:00:00Z", "2025-12-29T23:00:00Z", "2025-12-30T23:00:00Z", "2025-12-31T23:00:00Z"),
                kept(only("daily", 7), items));
        // ISO weeks end on Sunday: 2026-W01 (newest: Wed 31st), then weeks ending Sun 28th, 21st, 14th.
        assertEquals(set("2025-12-14T23:00:00Z", "2025-12-21T23:00:00Z", "2025-12-28T23:00:00Z",
                "2025-12-31T23:00:00Z"), kept(only("weekly", 4), items));
        assertEquals(set("2025-10-31T23:00:00Z", "2025-11-30T23:00:00Z", "2025-12-31T23:00:00Z"),
                kept(only("monthly", 3), items));
        // five years asked, two exist: both kept, nothing invented
        assertEquals(set("2024-12-31T23:00:00Z", "2025-12-31T23:00:00Z"), kept(only("yearly", 5), items));
    }

    @Test
    void rulesCombineAsAUnionWithEveryReasonNamed() {
        List<RetentionPolicy.Item> items = hourly(Set.of());
        Retention r = new Retention(3, null, 7, 4, 3, 5);
        RetentionPolicy.Decision d = new RetentionPolicy(r).decide(items);
        assertEquals(14, d.keep().size());
        RetentionPolicy.Item newest = d.keep().keySet().iterator().next();
        assertEquals(END, newest.time());
        assertEquals(List.of("last", "daily", "weekly", "monthly", "yearly"), d.keep().get(newest));
        RetentionPolicy.Item sunday = new RetentionPolicy.Item("id-2025-12-28T23:00:00Z",
                Instant.parse("2025-12-28T23:00:00Z"));
        assertEquals(List.of("daily", "weekly"), d.keep().get(sunday));
    }

    @Test
    void periodsWithoutBackupsDoNotCount() {
        List<RetentionPolicy.Item> items = hourly(Set.of("2025-12-29"));
        assertEquals(set("2025-12-28T23:00:00Z", "2025-12-30T23:00:00Z", "2025-12-31T23:00:00Z"),
                kept(only("daily", 3), items));
    }

    @Test
    void newestIsAlwaysKeptAndNoRulesKeepsEverything() {
        List<RetentionPolicy.Item> items = hourly(Set.of()).subList(0, 50);
        assertEquals(set(items.get(49).time().toString()), kept(only("last", 0), items));
        RetentionPolicy none = new RetentionPolicy(Retention.KEEP_ALL);
        assertTrue(none.keepsEverything());
        assertEquals(50, none.decide(items).keep().size());
    }
}
