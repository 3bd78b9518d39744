package dev.firesafe.plan;

import dev.firesafe.core.ExitCode;
import dev.firesafe.core.FiresafeException;
import dev.firesafe.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Trigger sections of function files: what is read, and every mistake refused with file and key named. */
class TriggerFileTest {

    private static final String PLAN = "plan:\n  sources: [{path: /srv}]\n";

    @TempDir
    Path tmp;

    private PlanRepository repository(Map<String, String> files) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("functions"));
        for (Map.Entry<String, String> f : files.entrySet()) {
            Files.writeString(dir.resolve(f.getKey() + ".yaml"), f.getValue());
        }
        return Fixtures.services(Map.of("firesafe.functions-dir", dir.toString())).plans();
    }

    private FiresafeException refused(String triggers) throws IOException {
        PlanRepository repo = repository(Map.of("bad", PLAN + "triggers:\n" + triggers));
        FiresafeException e = assertThrows(FiresafeException.class, repo::functions);
        assertEquals(ExitCode.USAGE, e.exitCode());
        assertTrue(e.getMessage().contains("bad.yaml"), e.getMessage());
        return e;
    }

    @Test
    void everyKindIsRead() throws IOException {
        FunctionDefinition f = repository(Map.of("web", PLAN + """
                triggers:
                  - type: timer
                  - type: timer
                    every: 15m
                  - type: timer
                    cron: "30 3 * * *"
                  - type: startup
                    delay: 30s
                    catch-up: true
                  - type: message
                  - type: http
                """)).functions().get(0);
        assertEquals("web", f.name());
        assertEquals(List.of(
                new TriggerSpec(TriggerSpec.Kind.TIMER, Duration.ofHours(6), null, null, false),
                new TriggerSpec(TriggerSpec.Kind.TIMER, Duration.ofMinutes(15), null, null, false),
                new TriggerSpec(TriggerSpec.Kind.TIMER, null, "30 3 * * *", null, false),
                new TriggerSpec(TriggerSpec.Kind.STARTUP, null, null, Duration.ofSeconds(30), true),
                new TriggerSpec(TriggerSpec.Kind.MESSAGE, null, null, null, false),
                new TriggerSpec(TriggerSpec.Kind.HTTP, null, null, null, false)), f.triggers());
        assertEquals("timer every 15m", f.triggers().get(1).describe());
        ZonedDateTime noon = ZonedDateTime.of(2026, 11, 24, 12, 0, 0, 0, ZoneOffset.UTC);
        assertEquals(Optional.of(Duration.ofDays(1)), f.triggers().get(2).interval(noon));
        assertEquals(Optional.empty(), f.triggers().get(3).interval(noon));
    }

    @Test
    void drillsAreScheduledLikeTimersWeeklyByDefaultAndSayNothingAboutBackupAge() throws IOException {
        FunctionDefinition f = repository(Map.of("web", PLAN + """
                triggers:
                  - type: drill
                  - type: drill
                    every: 1d
                  - type: drill
                    cron: "0 4 * * 0"
                """)).functions().get(0);
        assertEquals(List.of(
                new TriggerSpec(TriggerSpec.Kind.DRILL, Duration.ofDays(7), null, null, false),
                new TriggerSpec(TriggerSpec.Kind.DRILL, Duration.ofDays(1), null, null, false),
                new TriggerSpec(TriggerSpec.Kind.DRILL, null, "0 4 * * 0", null, false)), f.triggers());
        assertEquals("drill every 7d", f.triggers().get(0).describe());
        assertEquals("drill cron '0 4 * * 0'", f.triggers().get(2).describe());
        // staleness and catch-up follow the backup timers only
        ZonedDateTime noon = ZonedDateTime.of(2026, 11, 24, 12, 0, 0, 0, ZoneOffset.UTC);
        assertEquals(Optional.empty(), f.triggers().get(1).interval(noon));
    }

    @Test
    void badDrillSchedulesAreRefused() throws IOException {
        assertTrue(refused("  - type: drill\n    cron: \"61 * * * *\"\n").getMessage().contains("cron '61 * * * *'"));
        assertTrue(refused("  - type: drill\n    every: 1d\n    cron: \"0 4 * * 0\"\n").getMessage()
                .contains("a drill trigger takes 'every' or 'cron', not both"));
        assertTrue(refused("  - type: drill\n    catch-up: true\n").getMessage()
                .contains("'catch-up' does not apply to a drill trigger"));
    }

    @Test
    void badCronIsRefused() throws IOException {
        String m = refused("  - type: timer\n    cron: \"61 * * * *\"\n").getMessage();
        assertTrue(m.contains("triggers[0]") && m.contains("cron '61 * * * *'"), m);
        refused("  - type: timer\n    cron: \"0 0 3 * * ?\"\n"); // Quartz's six fields are not Unix cron
    }

    @Test
    void aCronThatNeverFiresIsRefusedNotSilentlyIdle() throws IOException {
        // rare is not never: the 29th of February comes every four years
        assertEquals(1, repository(Map.of("leap", PLAN + "triggers:\n  - type: timer\n    cron: \"0 0 29 2 *\"\n"))
                .functions().size());
        // valid fields, but April has no 31st and February no 30th: such a timer or drill would never run
        String m = refused("  - type: timer\n    cron: \"0 3 31 4 *\"\n").getMessage();
        assertTrue(m.contains("triggers[0]: cron '0 3 31 4 *' never fires"), m);
        assertTrue(refused("  - type: drill\n    cron: \"0 4 30 2 *\"\n").getMessage().contains("never fires"));
    }

    @Test
    void unknownTypeAndUnknownKeyAreRefused() throws IOException {
        assertTrue(refused("  - type: webhook\n").getMessage().contains("type 'webhook'"));
        assertTrue(refused("  - type: timer\n    evry: 5m\n").getMessage().contains("unknown key 'evry'"));
        assertTrue(refused("  - every: 5m\n").getMessage().contains("'type' is missing"));
    }

    @Test
    void keysOfAnotherKindAreRefused() throws IOException {
        assertTrue(refused("  - type: startup\n    every: 1h\n").getMessage()
                .contains("'every' does not apply to a startup trigger"));
        assertTrue(refused("  - type: timer\n    catch-up: true\n").getMessage()
                .contains("'catch-up' does not apply to a timer trigger"));
        assertTrue(refused("  - type: timer\n    every: 1h\n    cron: \"0 * * * *\"\n").getMessage()
                .contains("not both"));
        assertTrue(refused("  - type: timer\n    every: soon\n").getMessage().contains("triggers[0]: every"));
        assertTrue(refused("  - type: message\n    channel: other\n").getMessage().contains("channel 'other'"));
    }

    @Test
    void unknownTargetSchemeIsRefusedAtLoad() throws IOException {
        PlanRepository repo = repository(Map.of("t", "plan:\n  sources: [{path: /srv}]\n  targets: [ftp://host/x]\n"));
        FiresafeException e = assertThrows(FiresafeException.class, repo::functions);
        assertTrue(e.getMessage().contains("t.yaml: plan.targets: unknown target scheme 'ftp'"), e.getMessage());
    }

    @Test
    void aFunctionFileNamedYmlIsRefusedNotSkipped() throws IOException {
        // the other common YAML extension: skipping it would leave a host running with nothing to back up
        PlanRepository repo = repository(Map.of("a", PLAN));
        Files.writeString(tmp.resolve("functions/vault.yml"), PLAN);
        FiresafeException e = assertThrows(FiresafeException.class, repo::functions);
        assertEquals(ExitCode.USAGE, e.exitCode());
        assertTrue(e.getMessage().contains("vault.yml") && e.getMessage().contains("vault.yaml"), e.getMessage());
    }

    @Test
    void oneInvalidFileStopsTheWholeLoad() throws IOException {
        PlanRepository repo = repository(Map.of("a", PLAN, "b", PLAN + "triggers: [{type: nope}]\n"));
        assertThrows(FiresafeException.class, repo::functions);
    }
}
