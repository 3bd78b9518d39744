package dev.firesafe.it;

import dev.firesafe.testing.Cli;
import dev.firesafe.testing.PgCluster;
import dev.firesafe.testing.S3Mock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static dev.firesafe.testing.PgCluster.sqlAt;
import static dev.firesafe.testing.PgCluster.switchAndAwaitArchive;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #21 end to end on the packaged jar: a PostgreSQL 15 cluster (1 MiB WAL segments) whose archive_command is
 * {@code wal-push}, a base backup with {@code backup --postgres-base}, {@code SEGMENTS} segments archived one
 * archive_command each, then {@code restore --postgres-pitr} to a time in the middle and to the latest WAL (both
 * started with --start-port, which waits for the end of recovery), a timeline switch after the first, whose
 * server goes on archiving into the same plan, a restore that follows it, gap detection and a wrong key.
 */
class PitrIT {

    private static final int SEGMENTS = Integer.getInteger("pitr.segments", 200);

    private static Path work;
    private static Path target;
    private static Path keyFile;
    private static PgCluster source;

    @BeforeAll
    static void cluster() throws Exception {
        Path bin = PgCluster.requireServer();
        work = Files.createTempDirectory("firesafe-pitr-");
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        target = work.resolve("target");
        Files.createDirectories(target.resolve("db"));
        PgCluster.giveToServer(target);
        PgCluster.giveToServer(target.resolve("db"));
        keyFile = work.resolve("master.key");
        Files.writeString(keyFile, new Cli(work).useNewKey() + "\n");
        Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
        PgCluster.giveToServer(keyFile);
        String archive = "FIRESAFE_MASTER_KEY_FILE=" + keyFile + " " + Path.of(System.getProperty("java.home"),
                "bin", "java") + " -XX:TieredStopAtLevel=1 -jar " + Cli.jar().toAbsolutePath()
                + " wal-push %p --plan db --target " + target;
        source = PgCluster.start(bin, List.of("--wal-segsize=1"), Map.of("wal_level", "replica",
                "archive_mode", "on", "archive_command", archive, "max_wal_senders", "4"));
    }

    @AfterAll
    static void stop() throws Exception {
        for (Path dir : restoredDirs) {
            PgCluster.stopServerOn(dir);
        }
        PgCluster.closeAll(source);
        if (work != null) {
            try (Stream<Path> all = Files.walk(work)) {
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static final List<Path> restoredDirs = new ArrayList<>();

    private static Cli cli(Path home) throws IOException {
        Files.createDirectories(home);
        return new Cli(home).env("FIRESAFE_MASTER_KEY_FILE", keyFile.toString());
    }

    private static void awaitArchived(int port, String name) throws Exception {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (sqlAt(port, "SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver").equals(name)
                    || Files.exists(target.resolve("db/wal/" + name.substring(0, 8) + "/" + name))) {
                return;
            }
            Thread.sleep(100); // polling the archiver's progress: PostgreSQL offers no event to wait on
        }
        throw new AssertionError(name + " was not archived in 2 minutes");
    }

    private static Path dataDir(String name) throws IOException {
        Path d = work.resolve(name);
        restoredDirs.add(d);
        return d;
    }

    @Test
    void baseBackupAndArchivedWalRestoreToAPointInTimeAndToTheLatest() throws Exception {
        int port = source.port();
        sqlAt(port, "CREATE TABLE t (id int PRIMARY KEY, phase text)");
        sqlAt(port, "INSERT INTO t SELECT g, 'before base' FROM generate_series(1, 100) g");
        Cli cli = cli(work.resolve("home-backup"));
        Cli.Result base = cli.run("backup", "--plan", "db", "--postgres-base", "postgresql://postgres@127.0.0.1:"
                + port + "/", "--target", target.toString());
        assertEquals(0, base.exitCode(), base.toString());

        sqlAt(port, "INSERT INTO t SELECT g, 'middle' FROM generate_series(101, 200) g");
        switchAndAwaitArchive(port, Duration.ofMinutes(5));
        String middle = sqlAt(port, "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', "
                + "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')");
        sqlAt(port, "SELECT pg_sleep(0.05)"); // the next commit's time must be after 'middle', not equal to it
        long started = System.nanoTime();
        for (int i = 0; i < SEGMENTS; i++) {
            sqlAt(port, "INSERT INTO t VALUES (" + (1000 + i) + ", 'late')");
            switchAndAwaitArchive(port, Duration.ofMinutes(5));
        }
        double perSegment = (System.nanoTime() - started) / 1e9 / SEGMENTS;
        System.out.printf("PitrIT: %d segments archived by wal-push, %.2f s each (JVM start included)%n", SEGMENTS,
                perSegment);
        assertEquals(SEGMENTS, Integer.parseInt(sqlAt(port, "SELECT count(*) FROM t WHERE phase = 'late'")));

        // the latest: everything archived
        Path latest = dataDir("latest");
        int latestPort = S3Mock.freePort();
        Cli.Result r2 = cli(work.resolve("home-r2")).run("restore", "--postgres-pitr", "--plan", "db", "--target",
                target.toString(), "--to", latest.toString(), "--start-port", Integer.toString(latestPort));
        assertEquals(0, r2.exitCode(), r2.toString());
        assertEquals(Integer.toString(200 + SEGMENTS), sqlAt(latestPort, "SELECT count(*) FROM t"));
        // it ended recovery on timeline 2 and archives into the same plan: the next PITR makes timeline 3
        awaitArchived(latestPort, "00000002.history");
        PgCluster.stopServerOn(latest);

        // a point in time in the middle: the middle rows, none of the late ones; the server accepts writes after
        Path atMiddle = dataDir("at-middle");
        int middlePort = S3Mock.freePort();
        Cli.Result r1 = cli(work.resolve("home-r1")).run("restore", "--postgres-pitr", "--plan", "db", "--target",
                target.toString(), "--to", atMiddle.toString(), "--target-time", middle, "--start-port",
                Integer.toString(middlePort));
        assertEquals(0, r1.exitCode(), r1.toString());
        assertTrue(r1.stdout().contains("finished recovery and accepts writes"), r1.toString());
        assertEquals("200", sqlAt(middlePort, "SELECT count(*) FROM t"));
        assertEquals("700", Integer.toOctalString(Files.getPosixFilePermissions(atMiddle).stream()
                .mapToInt(p -> 1 << (8 - p.ordinal())).sum()));

        // the restored middle server is on timeline 3 and archives into the same plan; a restore follows it
        assertEquals("00000003", sqlAt(middlePort, "SELECT substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8)"));
        sqlAt(middlePort, "INSERT INTO t SELECT g, 'timeline 2' FROM generate_series(5000, 5009) g");
        switchAndAwaitArchive(middlePort, Duration.ofMinutes(5));
        assertTrue(Files.exists(target.resolve("db/wal/00000003/00000003.history")));
        Path followed = dataDir("followed");
        int followedPort = S3Mock.freePort();
        Cli.Result r3 = cli(work.resolve("home-r3")).run("restore", "--postgres-pitr", "--plan", "db", "--target",
                target.toString(), "--to", followed.toString(), "--start-port", Integer.toString(followedPort));
        assertEquals(0, r3.exitCode(), r3.toString());
        assertTrue(r3.stdout().contains("on timeline 3"), r3.toString());
        assertEquals("210", sqlAt(followedPort, "SELECT count(*) FROM t"));
        assertEquals("0", sqlAt(followedPort, "SELECT count(*) FROM t WHERE phase = 'late'"));
        PgCluster.stopServerOn(followed);
        PgCluster.stopServerOn(atMiddle);

        // verify --wal: the window from the base backup to the newest segment, per timeline
        Cli.Result v = cli(work.resolve("home-v")).run("verify", "--wal", "--plan", "db", "--target",
                target.toString());
        assertEquals(0, v.exitCode(), v.toString());
        assertTrue(v.stdout().contains("timeline 1") && v.stdout().contains("timeline 3"), v.toString());

        // a gap: one segment of timeline 1 after the base backup deleted; reported before anything is written
        Path tl1 = target.resolve("db/wal/00000001");
        List<Path> segments;
        try (Stream<Path> s = Files.list(tl1)) {
            segments = s.filter(p -> p.getFileName().toString().matches("[0-9A-F]{24}")).sorted().toList();
        }
        long baseStart = Long.parseLong(r1.stdout().replaceAll("(?s).*WAL from 0/([0-9A-F]+),.*", "$1"), 16);
        String victimName = String.format("00000001000000000000%04X", (baseStart >> 20) + 1);
        Path victim = segments.stream().filter(p -> p.getFileName().toString().equals(victimName)).findFirst()
                .orElseThrow();
        Path aside = work.resolve("aside");
        Files.move(victim, aside);
        Path gapDir = work.resolve("gap");
        Cli.Result gap = cli(work.resolve("home-gap")).run("restore", "--postgres-pitr", "--plan", "db", "--target",
                target.toString(), "--to", gapDir.toString());
        assertEquals(4, gap.exitCode(), gap.toString());
        String missingSegment = victim.getFileName().toString();
        String lsn = Long.toHexString(Long.parseLong(missingSegment.substring(16), 16)).toUpperCase() + "00000";
        assertTrue(gap.stderr().contains("timeline 1: 0/" + lsn), gap.toString());
        assertFalse(Files.exists(gapDir), "nothing written");
        Cli.Result verifyGap = cli(work.resolve("home-v2")).run("verify", "--wal", "--plan", "db", "--target",
                target.toString());
        assertEquals(4, verifyGap.exitCode(), verifyGap.toString());
        Files.move(aside, victim);

        // a key that cannot read the backups: the key's exit code, nothing written
        Path wrongKeyDir = work.resolve("wrong-key");
        Files.createDirectories(work.resolve("home-wrong"));
        Cli other = new Cli(work.resolve("home-wrong"));
        other.useNewKey();
        Cli.Result wrong = other.run("restore", "--postgres-pitr", "--plan", "db", "--target", target.toString(),
                "--to", wrongKeyDir.toString());
        assertEquals(3, wrong.exitCode(), wrong.toString());
        assertFalse(Files.exists(wrongKeyDir));
    }

    /** Write-only mode: the host archives and backs up with the public key only; the recovery key restores. */
    @Test
    void writeOnlyHostArchivesWhatTheRecoveryKeyRecovers() throws Exception {
        Path dir = work.resolve("write-only");
        Files.createDirectories(dir.resolve("target/wo"));
        PgCluster.giveToServer(dir.resolve("target"));
        PgCluster.giveToServer(dir.resolve("target/wo"));
        Path recoveryKey = dir.resolve("recovery.key");
        Cli keygen = cli(dir.resolve("home-keygen"));
        Cli.Result pair = keygen.run("keygen", "--write-only", "--out", recoveryKey.toString());
        assertEquals(0, pair.exitCode(), pair.toString());
        String publicKey = pair.stdout().strip();
        PgCluster.giveToServer(recoveryKey);
        String archive = "FIRESAFE_PUBLIC_KEY='" + publicKey + "' " + Path.of(System.getProperty("java.home"), "bin",
                "java") + " -XX:TieredStopAtLevel=1 -jar " + Cli.jar().toAbsolutePath() + " wal-push %p --plan wo "
                + "--target " + dir.resolve("target");
        try (PgCluster host = PgCluster.start(PgCluster.requireServer(), List.of("--wal-segsize=1"),
                Map.of("wal_level", "replica", "archive_mode", "on", "archive_command", archive))) {
            int port = host.port();
            sqlAt(port, "CREATE TABLE w (id int)");
            sqlAt(port, "INSERT INTO w SELECT generate_series(1, 50)");
            Files.createDirectories(dir.resolve("home-host"));
            Cli hostCli = new Cli(dir.resolve("home-host")).env("FIRESAFE_PUBLIC_KEY", publicKey);
            Cli.Result base = hostCli.run("backup", "--plan", "wo", "--postgres-base", "postgresql://postgres@127.0.0.1:"
                    + port + "/", "--target", dir.resolve("target").toString());
            assertEquals(0, base.exitCode(), base.toString());
            sqlAt(port, "INSERT INTO w SELECT generate_series(51, 80)");
            switchAndAwaitArchive(port, Duration.ofMinutes(5));

            // the host cannot read what it archived
            Cli.Result denied = hostCli.run("verify", "--wal", "--plan", "wo", "--target",
                    dir.resolve("target").toString());
            assertEquals(3, denied.exitCode(), denied.toString());

            Path restoredDir = dataDir("write-only-restored");
            int restoredPort = S3Mock.freePort();
            Files.createDirectories(dir.resolve("home-r"));
            Cli.Result r = new Cli(dir.resolve("home-r")).env("FIRESAFE_MASTER_KEY_FILE", recoveryKey.toString())
                    .run("restore", "--postgres-pitr", "--plan", "wo", "--target", dir.resolve("target").toString(),
                            "--to", restoredDir.toString(), "--start-port", Integer.toString(restoredPort));
            assertEquals(0, r.exitCode(), r.toString());
            assertEquals("80", sqlAt(restoredPort, "SELECT count(*) FROM w"));
            PgCluster.stopServerOn(restoredDir);
        }
    }
}
