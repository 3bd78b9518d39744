package dev.firesafe.host.trigger;

import dev.firesafe.repository.BackupId;
import dev.firesafe.plan.FunctionDefinition;
import dev.firesafe.testing.Fixtures;
import dev.firesafe.testing.Functions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The startup catch-up decision: due exactly when a scheduled run was missed since the newest backup. */
class CatchUpTest {

    @TempDir
    Path tmp;

    /** Why function "f" (these triggers; its newest backup made at {@code newest}) is due at {@code now}. */
    private Optional<String> reasonAt(String triggers, ZonedDateTime newest, ZonedDateTime now) throws IOException {
        Path functions = tmp.resolve("functions");
        Path target = tmp.resolve("target");
        Functions.write(functions, "f", tmp.resolve("data"), target, triggers);
        Files.createDirectories(target.resolve("f"));
        Files.write(target.resolve("f/" + BackupId.next(newest.toInstant()) + ".firesafe"), new byte[0]);
        var services = Fixtures.services(Map.of("firesafe.functions-dir", functions.toString()));
        FunctionDefinition f = services.plans().function("f");
        return CatchUp.reason(f, List.of(target.toUri().toString()), services.stores()::open, now.toInstant());
    }

    private static ZonedDateTime local(int month, int day, int hour) {
        return ZonedDateTime.of(2026, month, day, hour, 0, 1, 0, ZoneId.systemDefault());
    }

    @Test
    void aMonthlyRunMissedWhileTheHostWasDownIsCaughtUp() throws IOException {
        String monthly = "  - type: timer\n    cron: \"0 3 1 * *\"\n";
        // November has 30 days: the newest backup is younger than the 31 days to come, but 1 December 03:00
        // passed while the host was down
        Optional<String> due = reasonAt(monthly, local(11, 1, 3), local(12, 1, 4));
        assertTrue(due.isPresent(), "the December run was missed");
        assertEquals(Optional.empty(), reasonAt(monthly, local(11, 1, 3), local(11, 30, 23)), "nothing missed yet");
    }

    @Test
    void aWeekdayCronsFridayBackupNeedsNoCatchUpOnMonday() throws IOException {
        // started Monday at 02:00, before the week's first run: nothing was missed, the 03:00 run comes anyway
        assertEquals(Optional.empty(), reasonAt("  - type: timer\n    cron: \"0 3 * * 1-5\"\n", local(11, 27, 3),
                local(11, 30, 2)));
    }

    @Test
    void anEveryTimerIsDueOnceItsIntervalPassed() throws IOException {
        String sixHours = "  - type: timer\n    every: 6h\n";
        assertEquals(Optional.empty(), reasonAt(sixHours, local(11, 27, 3), local(11, 27, 8)));
        assertTrue(reasonAt(sixHours, local(11, 27, 3), local(11, 27, 10)).isPresent());
    }
}
