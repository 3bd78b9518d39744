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
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The YAML shape of command and postgres sources and hooks, and the mistakes it refuses. */
class PlanSourcesTest {

    @TempDir
    Path tmp;

    private Plan load(String yaml) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("functions"));
        Files.writeString(dir.resolve("p.yaml"), yaml);
        return Fixtures.services(Map.of("firesafe.functions-dir", dir.toString())).plans().find("p", false);
    }

    @Test
    void commandPostgresAndHooksAreRead() throws IOException {
        Plan plan = load("""
                plan:
                  before: "systemctl stop app"
                  after: ["systemctl start app", "echo done"]
                  sources:
                    - path: /srv/app
                    - command: "redis-cli --rdb -"
                      name: redis/dump.rdb
                      timeout: 5m
                      env: {REDISCLI_AUTH: hunter2}
                    - postgres: {host: db, port: 5433, user: backup, password-file: /run/secrets/pg, sslmode: require,
                                 mode: all}
                    - postgres: {databases: [shop, notes]}
                  targets: [/mnt/usb]
                """);
        assertEquals(List.of(SourceSpec.of("/srv/app")), plan.sources());
        assertEquals(List.of(new CommandSource("redis/dump.rdb", "redis-cli --rdb -", Duration.ofMinutes(5),
                Map.of("REDISCLI_AUTH", "hunter2"))), plan.commands());
        assertEquals(List.of(new PostgresSource("db", 5433, "backup", Path.of("/run/secrets/pg"), "require",
                List.of()), new PostgresSource("localhost", 5432, null, null, null, List.of("shop", "notes"))),
                plan.postgres());
        assertEquals("postgres/db_5433", plan.postgres().get(0).folder());
        assertEquals(new Hooks(List.of("systemctl stop app"), List.of("systemctl start app", "echo done")),
                plan.hooks());
    }

    /** Issue #21: a base backup source (pg_basebackup) takes the connection keys only. */
    @Test
    void postgresBaseIsABaseBackupSource() throws IOException {
        Plan plan = load("""
                plan:
                  sources:
                    - postgres-base: {host: 127.0.0.1, port: 5433, user: replicator}
                """);
        assertEquals(List.of(new PostgresSource("127.0.0.1", 5433, "replicator", null, null, List.of(), true)),
                plan.postgres());
        assertEquals("postgres-base/127.0.0.1_5433", plan.postgres().get(0).folder());
        FiresafeException e = assertThrows(FiresafeException.class, () -> load("""
                plan:
                  sources:
                    - postgres-base: {host: db, databases: [shop]}
                """));
        assertEquals(ExitCode.USAGE, e.exitCode());
        assertTrue(e.getMessage().contains("databases"), e.getMessage());
    }

    @Test
    void fullEveryIsADurationAndUnsetMeansOnlyWhenAskedFor() throws IOException {
        assertEquals(Duration.ofDays(7), load("plan:\n  full-every: 7d\n  sources: [{path: /srv}]\n").fullEvery());
        assertEquals(null, load("plan:\n  sources: [{path: /srv}]\n").fullEvery());
        FiresafeException e = assertThrows(FiresafeException.class,
                () -> load("plan:\n  full-every: weekly\n  sources: [{path: /srv}]\n"));
        assertEquals(ExitCode.USAGE, e.exitCode());
        assertTrue(e.getMessage().contains("plan.full-every: duration 'weekly' is not like 30s"), e.getMessage());
    }

    @Test
    void mistakesAreUsageErrors() {
        for (String[] c : new String[][] {
            {"    - command: \"x\"\n      name: ../escape\n", "must be a relative path"},
            {"    - command: \"x\"\n      name: a\n      timeout: soon\n", "is not like 30s"},
            {"    - command: \"x\"\n", "must be a relative path"},
            {"    - path: /a\n      command: x\n      name: b\n", "exactly one of"},
            {"    - postgres: {host: db}\n", "either 'mode: all' or a 'databases' list"},
            {"    - postgres: {mode: all, databases: [a]}\n", "either 'mode: all' or a 'databases' list"},
            {"    - postgres: {databases: [\"a;drop\"]}\n", "database name"},
            {"    - postgres: {mode: all, pasword-file: x}\n", "unknown key 'pasword-file'"},
        }) {
            FiresafeException e = assertThrows(FiresafeException.class, () -> load("plan:\n  sources:\n" + c[0]),
                    c[0]);
            assertEquals(ExitCode.USAGE, e.exitCode(), e.getMessage());
            assertTrue(e.getMessage().contains(c[1]), c[0] + " -> " + e.getMessage());
        }
    }
}
