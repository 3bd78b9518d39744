package dev.firesafe.postgres;

import dev.firesafe.app.Services;

import dev.firesafe.core.ExitCode;
import dev.firesafe.core.FiresafeException;
import dev.firesafe.archive.Compression;
import dev.firesafe.engine.backup.BackupResult;
import dev.firesafe.engine.backup.BackupService;
import dev.firesafe.core.Progress;
import dev.firesafe.crypto.KeySource;
import dev.firesafe.crypto.MasterKey;
import dev.firesafe.plan.CommandSource;
import dev.firesafe.core.FiresafeConfig;
import dev.firesafe.plan.Hooks;
import dev.firesafe.plan.Plan;
import dev.firesafe.plan.PostgresSource;
import dev.firesafe.plan.Retention;
import dev.firesafe.engine.restore.RestoreService;
import dev.firesafe.testing.Fixtures;
import dev.firesafe.testing.PgCluster;
import dev.firesafe.testing.Trees;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PostgreSQL sources against real throwaway clusters: one with data, dumped; a fresh one the dump is replayed
 * into; then the rows are compared one for one. Client mismatches and failing dumps are simulated with small
 * scripts that stand in for pg_dumpall on a configured client path.
 */
class PostgresBackupTest {

    private static final List<String> TABLES = List.of("shop:public.items", "shop:public.orders", "notes:public.notes");

    private static PgCluster source;
    private static PgCluster fresh;

    @TempDir
    Path tmp;

    private final MasterKey key = MasterKey.generate(65536);

    @BeforeAll
    static void startClusters() throws Exception {
        Path bin = PgCluster.requireServer();
        source = PgCluster.start(bin);
        fresh = PgCluster.start(bin);
        source.sql("postgres", "CREATE ROLE app_owner LOGIN PASSWORD 'owner-pw'");
        source.sql("postgres", "CREATE DATABASE shop OWNER app_owner");
        source.sql("postgres", "CREATE DATABASE notes");
        source.sql("shop", """
                SET ROLE app_owner;
                CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, price numeric(10,2), tags text[],
                                    attrs jsonb, photo bytea, active boolean, added timestamptz);
                INSERT INTO items VALUES
                  (1, 'Kaffeemühle', 49.90, ARRAY['kitchen','grind'], '{"burr": true, "sizes": [1, 2]}',
                   '\\x00ff10', true, '2026-01-02 03:04:05.123456+00'),
                  (2, E'tab\\tand ''quote''', NULL, '{}', NULL, NULL, false, NULL),
                  (3, '日本語', 0.01, ARRAY[NULL, 'x'], '[]', '\\x', NULL, '1999-12-31 23:59:59+05');
                CREATE TABLE orders (id bigserial PRIMARY KEY, item int REFERENCES items(id), qty int CHECK (qty > 0));
                INSERT INTO orders (item, qty) SELECT 1 + (g % 3), g FROM generate_series(1, 500) g;
                """);
        source.sql("notes", """
                CREATE TABLE notes (id uuid PRIMARY KEY, body text, at date);
                INSERT INTO notes VALUES ('0b9c1e7e-8f3c-4a53-9a49-4d2f7d1c2b11', E'line1\\nline2', '2026-11-24');
                GRANT SELECT ON notes TO app_owner;
                """);
    }

    @AfterAll
    static void stopClusters() throws Exception {
        PgCluster.closeAll(source, fresh);
    }

    private Services config(String clientPaths) {
        Map<String, String> values = new HashMap<>();
        values.put("firesafe.master-key", key.toEscrowText());
        values.put("firesafe.default-key-file", tmp.resolve("no-such-key-file").toString());
        values.put("firesafe.target", tmp.resolve("default-target").toString());
        if (clientPaths != null) {
            values.put("firesafe.postgres.client-paths", clientPaths);
        }
        return Fixtures.services(values);
    }

    private BackupResult backup(Plan plan, String clientPaths) {
        return config(clientPaths).backups().run(plan, Progress.NONE);
    }

    private RestoreService restoreService() {
        return config(null).restores();
    }

    private Path target() {
        return tmp.resolve("target");
    }

    private Plan plan(PostgresSource pg) {
        return new Plan("pg", List.of(), List.of(target().toString()), Compression.ZSTD,
                Retention.KEEP_ALL, List.of(), List.of(pg), Hooks.NONE);
    }

    private static PostgresSource all(PgCluster c) {
        return new PostgresSource("127.0.0.1", c.port(), "postgres", null, null, List.of());
    }

    private List<Path> backupFiles() throws IOException {
        if (!Files.isDirectory(target())) {
            return List.of();
        }
        try (Stream<Path> all = Files.walk(target())) {
            return all.filter(p -> p.toString().endsWith(".firesafe")).toList();
        }
    }

    private static String rows(PgCluster c, String dbTable) throws Exception {
        String[] parts = dbTable.split(":");
        return c.sql(parts[0], "SELECT t::text FROM " + parts[1] + " t ORDER BY 1");
    }

    @Test
    void pgDumpallBackupReplayedIntoAFreshClusterGivesTheSameRowsRolesAndOwners() throws Exception {
        BackupResult r = backup(plan(all(source)), null);
        assertTrue(r.ok(), r.toString());
        String entry = "postgres/127.0.0.1_" + source.port() + "/all.sql";

        Path out = tmp.resolve("restored");
        restoreService().restore(target().toString(), "latest", "pg", out, false, Progress.NONE);
        String script = Files.readString(out.resolve(entry));
        assertTrue(script.contains("CREATE ROLE app_owner;") && script.contains("Kaffeemühle"),
                "a pg_dumpall script with roles and rows");

        List<PostgresRestore.Replayed> replayed = PostgresRestore.replay(out, all(fresh),
                new PgClients(config(null).settings().postgres().clientPaths()));
        assertEquals(1, replayed.size());
        assertEquals(entry, replayed.get(0).file());
        assertEquals(0, replayed.get(0).errors(), "only the superuser initdb made may clash: " + replayed);
        assertEquals(1, replayed.get(0).expectedErrors(), replayed.toString());
        assertEquals(0, PostgresRestore.errors(replayed));

        for (String table : TABLES) {
            String want = rows(source, table);
            assertFalse(want.isBlank(), table);
            assertEquals(want, rows(fresh, table), "rows of " + table);
        }
        assertEquals("app_owner|true", fresh.sql("postgres",
                "SELECT rolname || '|' || rolcanlogin FROM pg_roles WHERE rolname = 'app_owner'").strip());
        assertEquals(source.sql("postgres", "SELECT rolpassword FROM pg_authid WHERE rolname = 'app_owner'"),
                fresh.sql("postgres", "SELECT rolpassword FROM pg_authid WHERE rolname = 'app_owner'"),
                "the role's password hash came along");
        assertEquals("app_owner", fresh.sql("postgres",
                "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'shop'").strip());
        assertEquals("t", fresh.sql("notes", "SELECT has_table_privilege('app_owner', 'notes', 'SELECT')").strip());
    }

    /**
     * Issue #19: a replay into a server that already held the data reported errors (duplicate keys, "database
     * already exists"), psql went on, and the restore exited 0. They count now, and the log has every one.
     */
    @Test
    void aReplayIntoAServerThatIsNotEmptyCountsItsErrorsAndLogsThem() throws Exception {
        assertTrue(backup(plan(all(source)), null).ok());
        Path out = tmp.resolve("restored");
        restoreService().restore(target().toString(), "latest", "pg", out, false, Progress.NONE);
        Path log = tmp.resolve("replay.log");
        try (PgCluster used = PgCluster.start(PgCluster.requireServer())) {
            PostgresSource server = new PostgresSource("127.0.0.1", used.port(), "postgres", null, null, List.of());
            PgClients clients = new PgClients(config(null).settings().postgres().clientPaths());
            assertEquals(0, PostgresRestore.errors(PostgresRestore.replay(out, server, clients, log)),
                    "the first replay into the fresh cluster");

            List<PostgresRestore.Replayed> again = PostgresRestore.replay(out, server, clients, log);

            int errors = PostgresRestore.errors(again);
            assertTrue(errors > 3, again.toString());
            assertTrue(again.get(0).firstErrors().stream().anyMatch(e -> e.contains("already exists")),
                    again.toString());
            String logged = Files.readString(log);
            assertEquals(errors + again.get(0).expectedErrors(), logged.lines().filter(l -> l.contains("ERROR:"))
                    .count(), "every error is in the log: " + logged);
            assertTrue(logged.contains("duplicate key"), logged);
            assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(log)));
        }
    }

    /** The same rule for a drill: a replay into its scratch server that reports errors proves nothing. */
    @Test
    void aDrillWhoseReplayReportsErrorsFails() throws Exception {
        Plan plan = plan(all(source));
        assertTrue(backup(plan, null).ok());
        Services services = config(null);
        dev.firesafe.engine.drill.DrillService drills = new dev.firesafe.engine.drill.DrillService(services.keys(),
                services.restores(), services.stores(), services.settings().firesafe(),
                services.settings().postgres(), Files.createDirectories(tmp.resolve("s")), java.time.Clock.systemUTC(),
                finished -> { });
        try (PgCluster scratch = PgCluster.start(PgCluster.requireServer())) {
            String url = "postgresql://postgres@127.0.0.1:" + scratch.port() + "/";
            dev.firesafe.engine.drill.DrillResult first = drills.drill(plan, null, url);
            assertTrue(first.ok(), "a fresh scratch server: " + first);

            dev.firesafe.engine.drill.DrillResult second = drills.drill(plan, null, url);

            assertFalse(second.ok(), second.toString());
            assertEquals(6, second.exitCode(), second.toString());
            assertTrue(second.targets().get(0).error().contains("reported"), second.toString());
        }
    }

    @Test
    void perDatabaseCustomFormatDumpsReplayWithPgRestoreIntoAnotherServer() throws Exception {
        PostgresSource pg = new PostgresSource("127.0.0.1", source.port(), "postgres", null, null,
                List.of("shop", "notes"));
        assertTrue(backup(plan(pg), null).ok());
        Path out = tmp.resolve("restored");
        restoreService().restore(target().toString(), "latest", "pg", out, false, Progress.NONE);
        Path folder = out.resolve("postgres/127.0.0.1_" + source.port());
        for (String db : List.of("shop", "notes")) {
            byte[] head = Files.readAllBytes(folder.resolve(db + ".dump"));
            assertEquals("PGDMP", new String(head, 0, 5, StandardCharsets.US_ASCII), "pg_dump -Fc archive of " + db);
        }

        // A per-database dump carries no roles: as the runbook says, create them first, then replay.
        try (PgCluster other = PgCluster.start(PgCluster.requireServer())) {
            other.sql("postgres", "CREATE ROLE app_owner LOGIN");
            List<PostgresRestore.Replayed> replayed = PostgresRestore.replay(out,
                    new PostgresSource("127.0.0.1", other.port(), "postgres", null, null, List.of()),
                    new PgClients(config(null).settings().postgres().clientPaths()));
            assertEquals(2, replayed.size(), replayed.toString());
            assertTrue(replayed.stream().allMatch(r -> r.tool().startsWith("pg_restore") && r.errors() == 0),
                    replayed.toString());
            for (String table : TABLES) {
                assertEquals(rows(source, table), rows(other, table), "rows of " + table);
            }
            assertEquals("app_owner", other.sql("postgres",
                    "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'shop'").strip());
        }
    }

    @Test
    void aClientOlderThanTheServerIsRefusedBeforeAnythingIsWritten() throws Exception {
        assertOldClientRefused("pg_dumpall", all(source));
    }

    @Test
    void aBaseBackupWithNoPgBasebackupOfTheServersVersionIsRefusedBeforeAnythingIsWritten() throws Exception {
        assertOldClientRefused("pg_basebackup", all(source).asBase());
    }

    /**
     * With only a version-13 {@code tool} on the client path (a script that records whether it ran), the backup
     * fails with the source exit code naming the server's version, the client found and the package to install;
     * the old client never ran and no backup was written.
     */
    private void assertOldClientRefused(String tool, PostgresSource pg) throws Exception {
        Path fake = Files.createDirectories(tmp.resolve("old-clients"));
        Path ran = tmp.resolve("fake-ran");
        Trees.write(fake.resolve(tool), ("#!/bin/sh\nif [ \"$1\" = --version ]; then echo '" + tool + " "
                + "(PostgreSQL) 13.2'; exit 0; fi\ntouch '" + ran + "'\necho 'SELECT 1;'\n")
                .getBytes(StandardCharsets.UTF_8), "rwxr-xr-x");
        FiresafeException e = assertThrows(FiresafeException.class, () -> backup(plan(pg), fake.toString()));
        assertEquals(ExitCode.SOURCE, e.exitCode(), e.getMessage());
        int num = Integer.parseInt(source.sql("postgres", "SHOW server_version_num").strip());
        String serverVersion = num / 10000 + "." + num % 10000;
        int major = num / 10000;
        for (String part : List.of("is version " + serverVersion, tool + " must be version " + major
                + " or newer", fake.resolve(tool) + " (13.2)", "apt-get install postgresql-client-" + major)) {
            assertTrue(e.getMessage().contains(part), "message should say '" + part + "': " + e.getMessage());
        }
        assertFalse(Files.exists(ran), "the mismatched client never ran");
        assertEquals(List.of(), backupFiles(), "nothing was written");
    }

    @Test
    void aDumpThatFailsMidwayFailsTheBackupWithItsMessageAndThePreviousBackupStaysLatest() throws Exception {
        BackupResult first = backup(plan(all(source)), null);
        Path fake = Files.createDirectories(tmp.resolve("failing-clients"));
        Trees.write(fake.resolve("pg_dumpall"), ("#!/bin/sh\nif [ \"$1\" = --version ]; then echo 'pg_dumpall "
                + "(PostgreSQL) 99.0'; exit 0; fi\necho '-- partial dump'\necho 'pg_dumpall: error: query failed: "
                + "ERROR:  out of shared memory' >&2\nexit 1\n").getBytes(StandardCharsets.UTF_8), "rwxr-xr-x");
        FiresafeException e = assertThrows(FiresafeException.class, () -> backup(plan(all(source)),
                fake.toString()));
        assertEquals(ExitCode.SOURCE, e.exitCode(), e.getMessage());
        assertTrue(e.getMessage().contains("pg_dumpall of PostgreSQL server postgres@127.0.0.1:" + source.port()
                + " failed with exit status 1") && e.getMessage().contains("out of shared memory"), e.getMessage());
        assertEquals(1, backupFiles().size(), "the failed backup was aborted");
        assertEquals(first.id(), restoreService().verify(target().toString(), "latest", "pg", Progress.NONE).id());
    }

    @Test
    void aShellCommandThatFailsMidwayLeavesThePreviousBackupLatest() throws Exception {
        BackupResult first = backup(plan(all(source)), null);
        Plan failing = new Plan("pg", List.of(), List.of(target().toString()), Compression.ZSTD,
                Retention.KEEP_ALL, List.of(new CommandSource("partial.out", "echo partial; exit 3", null, null)),
                List.of(all(source)), Hooks.NONE);
        FiresafeException e = assertThrows(FiresafeException.class, () -> backup(failing, null));
        assertTrue(e.getMessage().contains("exit status 3"), e.getMessage());
        assertEquals(1, backupFiles().size());
        assertEquals(first.id(), restoreService().verify(target().toString(), "latest", "pg", Progress.NONE).id());
    }
}
