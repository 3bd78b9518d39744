package dev.firesafe.engine.backup;

import dev.firesafe.core.Progress;
import dev.firesafe.core.ExitCode;
import dev.firesafe.core.FiresafeException;
import dev.firesafe.archive.Compression;
import dev.firesafe.crypto.MasterKey;
import dev.firesafe.plan.CommandSource;
import dev.firesafe.plan.Hooks;
import dev.firesafe.plan.Plan;
import dev.firesafe.plan.Retention;
import dev.firesafe.plan.SourceSpec;
import dev.firesafe.engine.restore.RestoreService;
import dev.firesafe.testing.Fixtures;
import dev.firesafe.testing.Trees;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Command sources and hooks through the real pipeline, with real processes and a real Redis where documented. */
class CommandSourceTest {

    @TempDir
    Path tmp;

    private final MasterKey key = MasterKey.generate(65536);

    private Path target() {
        return tmp.resolve("target");
    }

    private Plan plan(List<CommandSource> commands, Hooks hooks) throws IOException {
        Path folder = Files.createDirectories(tmp.resolve("app"));
        Trees.write(folder.resolve("config.yml"), "a: 1\n".getBytes(StandardCharsets.UTF_8), "rw-r--r--");
        return new Plan("cmd", List.of(SourceSpec.of(folder.toString())), List.of(target().toString()),
                Compression.ZSTD, Retention.KEEP_ALL, commands, List.of(), hooks);
    }

    private BackupResult backup(Plan plan) {
        return Fixtures.backupService(key, tmp).run(plan, Progress.NONE);
    }

    private List<Path> backupFiles() throws IOException {
        if (!Files.isDirectory(target())) {
            return List.of();
        }
        try (Stream<Path> all = Files.walk(target())) {
            return all.filter(p -> p.toString().endsWith(".firesafe")).toList();
        }
    }

    @Test
    void commandOutputIsStoredAsOneFileAndRestoredByteForByte() throws IOException {
        String expected = IntStream.rangeClosed(1, 400_000).mapToObj(Integer::toString)
                .collect(Collectors.joining("\n", "", "\n"));
        BackupResult r = backup(plan(List.of(new CommandSource("numbers/seq.txt", "seq 1 400000", null, null)),
                Hooks.NONE));
        assertTrue(r.ok(), r.toString());
        assertEquals(2, r.files());
        Path out = tmp.resolve("out");
        Fixtures.restoreService(key, tmp).restore(target().toString(), "latest", null, out, false, Progress.NONE);
        assertEquals(expected, Files.readString(out.resolve("numbers/seq.txt")));
        assertEquals("a: 1\n", Files.readString(out.resolve("app/config.yml")));
    }

    @Test
    void redisDumpViaRedisCliRoundTrips() throws Exception {
        if (!redisAnswers()) {
            if (System.getenv("CI") != null) {
                throw new IllegalStateException("CI machines run Redis on 127.0.0.1:6379 with redis-cli installed "
                        + "(java-maven-svc); it did not answer PING");
            }
            org.junit.jupiter.api.Assumptions.abort("no redis-cli / Redis on 127.0.0.1:6379 here");
        }
        run("redis-cli", "-h", "127.0.0.1", "-p", "6379", "SET", "firesafe:test:" + tmp.getFileName(), "kept");
        BackupResult r = backup(plan(List.of(new CommandSource("redis/dump.rdb",
                "redis-cli -h 127.0.0.1 -p 6379 --rdb -", Duration.ofMinutes(2), null)), Hooks.NONE));
        assertTrue(r.ok(), r.toString());
        Path out = tmp.resolve("out");
        Fixtures.restoreService(key, tmp).restore(target().toString(), "latest", null, out, false, Progress.NONE);
        byte[] rdb = Files.readAllBytes(out.resolve("redis/dump.rdb"));
        assertEquals("REDIS", new String(rdb, 0, 5, StandardCharsets.US_ASCII), "an RDB file starts with REDIS");
        assertTrue(new String(rdb, StandardCharsets.ISO_8859_1).contains("firesafe:test:" + tmp.getFileName()),
                "the key set just before the backup is in the dump");
        run("redis-cli", "-h", "127.0.0.1", "-p", "6379", "DEL", "firesafe:test:" + tmp.getFileName());
    }

    /**
     * mariadb-dump as a command source: two tables of several column types, dumped, the database dropped, the
     * restored dump replayed, and every row compared. Connects over the local socket as the OS root user, which
     * both the pre-configured machines and a fresh Debian install (unix_socket auth) allow.
     */
    @Test
    void mariadbDumpViaCommandSourceRestoresEveryRow() throws Exception {
        if (!mariadbAnswers()) {
            if (System.getenv("CI") != null) {
                throw new IllegalStateException("CI machines run MariaDB (.ci/run starts one); `mariadb -uroot` "
                        + "did not answer");
            }
            org.junit.jupiter.api.Assumptions.abort("no MariaDB reachable with `mariadb -uroot` here");
        }
        String db = "firesafe_" + Long.toHexString(System.nanoTime());
        String select = "SELECT id, name, price, happened, payload FROM " + db + ".orders ORDER BY id;"
                + " SELECT id, note FROM " + db + ".notes ORDER BY id;";
        try {
            sql("CREATE DATABASE " + db + "; CREATE TABLE " + db + ".orders (id INT PRIMARY KEY, name VARCHAR(40)"
                    + " CHARACTER SET utf8mb4, price DECIMAL(10,2), happened DATETIME(3), payload BLOB);"
                    + " CREATE TABLE " + db + ".notes (id BIGINT PRIMARY KEY AUTO_INCREMENT, note TEXT);"
                    + " INSERT INTO " + db + ".orders VALUES (1, 'vault', 12.50, '2026-11-24 10:00:00.123', x'00ff10'),"
                    + " (2, 'café ☃', NULL, '1999-12-31 23:59:59.999', NULL);"
                    + " INSERT INTO " + db + ".notes (note) VALUES ('line one\nline two'), (REPEAT('x', 5000));");
            String before = sql(select);
            BackupResult r = backup(plan(List.of(new CommandSource("mariadb/" + db + ".sql",
                    "mariadb-dump -uroot --single-transaction --databases " + db, Duration.ofMinutes(2), null)),
                    Hooks.NONE));
            assertTrue(r.ok(), r.toString());
            sql("DROP DATABASE " + db + ";");

            Path out = tmp.resolve("out");
            Fixtures.restoreService(key, tmp).restore(target().toString(), "latest", null, out, false, Progress.NONE);
            Process replay = new ProcessBuilder("mariadb", "-uroot").redirectErrorStream(true)
                    .redirectInput(out.resolve("mariadb/" + db + ".sql").toFile()).start();
            String replayOut = new String(replay.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(replay.waitFor(60, TimeUnit.SECONDS) && replay.exitValue() == 0, replayOut);
            assertEquals(before, sql(select));
            assertTrue(before.contains("café ☃") && before.contains("00FF10"), before);
        } finally {
            sql("DROP DATABASE IF EXISTS " + db + ";");
        }
    }

    private static boolean mariadbAnswers() {
        try {
            return sql("SELECT 1;").strip().equals("1");
        } catch (IOException e) {
            return false;
        }
    }

    /** Runs SQL through the mariadb client; binary columns come back as hex so the output compares exactly. */
    private static String sql(String statements) throws IOException {
        return run("mariadb", "-uroot", "--batch", "--skip-column-names", "--binary-as-hex",
                "--default-character-set=utf8mb4", "-e", statements);
    }

    @Test
    void aFailingCommandFailsTheBackupWithItsStderrAndThePreviousBackupStaysLatest() throws IOException {
        BackupResult first = backup(plan(List.of(), Hooks.NONE));
        String secret = "s3cr3t-token-value";
        FiresafeException e = assertThrows(FiresafeException.class, () -> backup(plan(List.of(new CommandSource(
                "db/dump.sql", "echo partial; echo \"connection refused for $TOKEN\" >&2; exit 3", null,
                Map.of("TOKEN", secret))), Hooks.NONE)));
        assertEquals(ExitCode.SOURCE, e.exitCode(), e.getMessage());
        assertTrue(e.getMessage().contains("command source 'db/dump.sql' failed with exit status 3"), e.getMessage());
        assertTrue(e.getMessage().contains("connection refused for ***"), e.getMessage());
        assertFalse(e.getMessage().contains(secret), "env values never appear in messages");
        assertEquals(1, backupFiles().size(), "the failed backup was aborted: " + backupFiles());
        assertEquals(first.id(), Fixtures.restoreService(key, tmp).verify(target().toString(), "latest", "cmd",
                Progress.NONE).id());
    }

    @Test
    void aCommandThatOutlivesItsTimeoutIsKilledAndFailsTheBackup() throws IOException {
        long start = System.nanoTime();
        FiresafeException e = assertThrows(FiresafeException.class, () -> backup(plan(List.of(new CommandSource(
                "slow.out", "echo started; sleep 60; echo never", Duration.ofSeconds(1), null)), Hooks.NONE)));
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
        assertEquals(ExitCode.SOURCE, e.exitCode(), e.getMessage());
        assertTrue(e.getMessage().contains("did not finish within 1s and was killed"), e.getMessage());
        assertTrue(seconds < 30, "killed at the timeout, not after sleep ended: " + seconds + "s");
        assertEquals(List.of(), backupFiles());
    }

    @Test
    void afterHookRunsWhenTheBackupFailsAndWhenItSucceeds() throws IOException {
        Path log = tmp.resolve("hooks.log");
        Hooks hooks = new Hooks(List.of("echo before >> '" + log + "'"),
                List.of("echo \"after $FIRESAFE_BACKUP_STATUS\" >> '" + log + "'"));
        assertThrows(FiresafeException.class, () -> backup(plan(List.of(new CommandSource("x", "exit 1", null,
                null)), hooks)));
        assertEquals("before\nafter failed\n", Files.readString(log));
        Files.delete(log);
        assertTrue(backup(plan(List.of(), hooks)).ok());
        assertEquals("before\nafter ok\n", Files.readString(log));
    }

    @Test
    void aFailingBeforeHookStopsTheBackupBeforeAnythingIsWrittenAndAfterStillRuns() throws IOException {
        Path log = tmp.resolve("hooks.log");
        Hooks hooks = new Hooks(List.of("echo 'maintenance mode refused' >&2; exit 4"),
                List.of("echo after >> '" + log + "'"));
        FiresafeException e = assertThrows(FiresafeException.class, () -> backup(plan(List.of(), hooks)));
        assertEquals(ExitCode.SOURCE, e.exitCode());
        assertTrue(e.getMessage().contains("before hook") && e.getMessage().contains("maintenance mode refused"),
                e.getMessage());
        assertEquals("after\n", Files.readString(log));
        assertEquals(List.of(), backupFiles());
    }

    @Test
    void commandNamesMayNotCollideWithFolderSources() {
        FiresafeException e = assertThrows(FiresafeException.class, () -> backup(plan(List.of(
                new CommandSource("app/extra.txt", "echo hi", null, null)), Hooks.NONE)));
        assertEquals(ExitCode.USAGE, e.exitCode(), e.getMessage());
    }

    private static boolean redisAnswers() {
        try {
            return run("redis-cli", "-h", "127.0.0.1", "-p", "6379", "PING").strip().equals("PONG");
        } catch (IOException e) {
            return false;
        }
    }

    private static String run(String... argv) throws IOException {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException(String.join(" ", argv) + " failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        return out;
    }
}
