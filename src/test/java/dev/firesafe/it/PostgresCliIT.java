package dev.firesafe.it;

import dev.firesafe.testing.Cli;
import dev.firesafe.testing.PgCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code backup --postgres/--command} and {@code restore --postgres} on the packaged jar, with real clusters. */
class PostgresCliIT {

    private static final String PASSWORD = "pg-secret-not-to-be-printed";

    private static PgCluster source;
    private static PgCluster fresh;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startClusters() throws Exception {
        Path bin = PgCluster.requireServer();
        source = PgCluster.start(bin);
        fresh = PgCluster.start(bin);
        source.sql("postgres", "CREATE DATABASE inventory");
        source.sql("inventory", "CREATE TABLE t (id int PRIMARY KEY, v text); "
                + "INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 1000) g");
    }

    @AfterAll
    static void stopClusters() throws Exception {
        PgCluster.closeAll(source, fresh);
    }

    private Cli cli() throws Exception {
        Cli cli = new Cli(tmp);
        Cli.Result keygen = cli.run("keygen");
        assertEquals(0, keygen.exitCode(), keygen.toString());
        String[] lines = keygen.stdout().strip().split("\n");
        // PGPASSWORD is passed through to the clients as libpq reads it (trust auth ignores it here); it must
        // never be printed.
        return cli.env("FIRESAFE_MASTER_KEY", lines[lines.length - 1].strip()).env("PGPASSWORD", PASSWORD);
    }

    @Test
    void backupWithPostgresAndCommandThenRestoreReplaysIntoAFreshServer() throws Exception {
        Cli cli = cli();
        String target = tmp.resolve("backups").toString();
        Cli.Result b = cli.run("backup", "--plan", "db", "--postgres", "postgresql://postgres@127.0.0.1:"
                + source.port() + "/", "--command", "app/version.txt=echo 1.2.3", "--target", target);
        assertEquals(0, b.exitCode(), b.toString());
        assertTrue(b.stdout().contains("2 files"), b.toString());

        Path out = tmp.resolve("restored");
        Cli.Result r = cli.run("restore", "latest", "--plan", "db", "--target", target, "--to", out.toString(),
                "--postgres", "postgresql://postgres@127.0.0.1:" + fresh.port() + "/");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.stdout().contains("replayed postgres/127.0.0.1_" + source.port() + "/all.sql with psql"),
                r.toString());
        assertEquals("1.2.3\n", Files.readString(out.resolve("app/version.txt")));
        assertEquals(source.sql("inventory", "SELECT t::text FROM t ORDER BY id"),
                fresh.sql("inventory", "SELECT t::text FROM t ORDER BY id"));
        assertFalse(b.all().contains(PASSWORD) || r.all().contains(PASSWORD));
    }

    /** Issue #19: 9 SQL errors in the replay, and the restore exited 0. */
    @Test
    void aReplayThatReportsErrorsFailsNamingTheCountAndTheLog() throws Exception {
        Cli cli = cli();
        String target = tmp.resolve("backups").toString();
        Cli.Result b = cli.run("backup", "--plan", "db", "--postgres", "postgresql://postgres@127.0.0.1:"
                + source.port() + "/", "--target", target);
        assertEquals(0, b.exitCode(), b.toString());
        try (PgCluster used = PgCluster.start(PgCluster.requireServer())) {
            String url = "postgresql://postgres@127.0.0.1:" + used.port() + "/";
            Cli.Result first = cli.run("restore", "latest", "--plan", "db", "--target", target, "--to",
                    tmp.resolve("first").toString(), "--postgres", url);
            assertEquals(0, first.exitCode(), "a fresh cluster: only the expected superuser clash: " + first);

            Path again = tmp.resolve("again");
            Cli.Result second = cli.run("restore", "latest", "--plan", "db", "--target", target, "--to",
                    again.toString(), "--postgres", url);

            assertEquals(6, second.exitCode(), second.toString());
            Path log = again.resolve("FIRESAFE-POSTGRES-REPLAY.log");
            assertTrue(second.stderr().contains("reported ") && second.stderr().contains(" error(s)")
                    && second.stderr().contains(log.toString()), second.toString());
            assertTrue(Files.readString(log).contains("already exists"), Files.readString(log));
            assertTrue(second.stdout().contains("restored backup"), "the files are restored: " + second);
            assertFalse(second.all().contains(PASSWORD));
        }
    }

    @Test
    void aFailingCommandExitsWithTheSourceCodeAndItsStderr() throws Exception {
        Cli cli = cli();
        Cli.Result b = cli.run("backup", "--plan", "x", "--command", "dump.sql=echo partial; echo 'disk on fire' >&2;"
                + " exit 3", "--target", tmp.resolve("backups").toString());
        assertEquals(6, b.exitCode(), b.toString());
        assertTrue(b.stderr().contains("exit status 3") && b.stderr().contains("disk on fire"), b.toString());
        assertFalse(Files.exists(tmp.resolve("backups/x")) && Files.list(tmp.resolve("backups/x"))
                .anyMatch(p -> p.toString().endsWith(".firesafe")), "nothing published");
    }

    @Test
    void aPasswordInThePostgresUrlIsRefusedWithoutEchoingIt() throws Exception {
        Cli.Result b = cli().run("backup", "--postgres", "postgresql://postgres:hunter22@127.0.0.1:5432/",
                "--target", tmp.resolve("backups").toString());
        assertEquals(2, b.exitCode(), b.toString());
        assertTrue(b.stderr().contains("PGPASSWORD"), b.toString());
        assertFalse(b.all().contains("hunter22"), b.toString());
    }
}
