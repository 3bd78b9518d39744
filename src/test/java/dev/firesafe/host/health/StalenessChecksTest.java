package dev.firesafe.host.health;

import dev.firesafe.repository.BackupId;
import dev.firesafe.app.Services;
import dev.firesafe.testing.Fixtures;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The {@code backup-age} health check against the real schedule: a function is stale once the stale factor's
 * worth of its scheduled runs (2 by default) passed without a backup, whatever the gaps between them.
 */
class StalenessChecksTest {

    /** Friday 27 November 2026, a second after 03:00 local time (cron fires in the host's zone). */
    private static final ZonedDateTime FRIDAY = ZonedDateTime.of(2026, 11, 27, 3, 0, 1, 0, ZoneId.systemDefault());

    @TempDir
    Path tmp;

    /** The check of function "office" with {@code triggers}, whose newest backup is from Friday, at {@code now}. */
    private HealthCheckResponse.Status statusAt(String triggers, ZonedDateTime now) throws IOException {
        Path functions = Files.createDirectories(tmp.resolve("functions"));
        Path target = tmp.resolve("target");
        Files.writeString(functions.resolve("office.yaml"), "plan:\n  sources: [{path: /srv/office}]\n"
                + "  targets: [" + target.toUri() + "]\ntriggers:\n" + triggers);
        Files.createDirectories(target.resolve("office"));
        Files.write(target.resolve("office/" + BackupId.next(FRIDAY.toInstant()) + ".firesafe"), new byte[0]);
        Services services = Fixtures.services(Map.of("firesafe.functions-dir", functions.toString()));
        HealthConfig health = FixedHealthConfig.uncached(Duration.ofSeconds(5));
        return new StalenessChecks(services.functions(), health, new BackupListings(services.stores(), health),
                null, Clock.fixed(now.toInstant(), ZoneId.systemDefault()))
                .check(services.functions().load("office")).getStatus();
    }

    @Test
    void aWeekdayCronsFridayBackupIsNotStaleOverTheWeekend() throws IOException {
        String weekdays = "  - type: timer\n    cron: \"0 3 * * 1-5\"\n";
        assertEquals(HealthCheckResponse.Status.UP, statusAt(weekdays, FRIDAY.plusDays(2).withHour(12)),
                "Sunday noon: no scheduled run was missed");
        assertEquals(HealthCheckResponse.Status.UP, statusAt(weekdays, FRIDAY.plusDays(3).withHour(12)),
                "Monday noon: one run missed");
        assertEquals(HealthCheckResponse.Status.DOWN, statusAt(weekdays, FRIDAY.plusDays(4).withHour(3)
                .withMinute(30)), "Tuesday 03:30: the second run missed");
    }

    @Test
    void anEveryTimerIsStaleAfterTwoIntervals() throws IOException {
        String daily = "  - type: timer\n    every: 1d\n";
        assertEquals(HealthCheckResponse.Status.UP, statusAt(daily, FRIDAY.plusDays(2).minusMinutes(1)));
        assertEquals(HealthCheckResponse.Status.DOWN, statusAt(daily, FRIDAY.plusDays(2).plusMinutes(1)));
    }
}
