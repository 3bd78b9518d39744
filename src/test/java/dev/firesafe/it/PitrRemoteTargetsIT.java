package dev.firesafe.it;

import dev.firesafe.testing.Cli;
import dev.firesafe.testing.GitHubEmulator;
import dev.firesafe.testing.PgCluster;
import dev.firesafe.testing.S3Mock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static dev.firesafe.testing.PgCluster.sqlAt;
import static dev.firesafe.testing.PgCluster.switchAndAwaitArchive;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * WAL archiving on the remote target kinds, through the packaged jar: an S3 bucket (S3Mock, a real S3-compatible
 * server) and a GitHub repository (the GitHub API emulator). Per target a PostgreSQL 15 cluster (1 MiB segments)
 * archives with {@code archive_command = wal-push}, takes a base backup with {@code backup --postgres-base}, and
 * then: a segment fetched with {@code wal-fetch} is byte-identical to the server's, pushing it again is exit 0, a
 * different file under its name is refused (exit 4) and leaves the archived one as it was, an unknown name is a
 * non-zero fetch, and {@code restore --postgres-pitr} (restore_command fetching from the same target) recovers
 * every row. A few segments only: PitrIT covers the 200-segment run on a local target.
 */
class PitrRemoteTargetsIT {

    private static final String S3_SECRET = "s3-" + UUID.randomUUID();
    private static final String TOKEN = "github_pat_" + UUID.randomUUID().toString().replace("-", "");

    private static Path work;
    private static Path keyFile;
    private static S3Mock s3;
    private static GitHubEmulator github;
    private static final List<Path> restoredDirs = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        PgCluster.requireServer();
        work = Files.createTempDirectory("firesafe-pitr-remote-");
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        keyFile = work.resolve("master.key");
        Files.writeString(keyFile, new Cli(work).useNewKey() + "\n");
        Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
        PgCluster.giveToServer(keyFile);
        s3 = S3Mock.start(work);
        github = new GitHubEmulator("acme", "vault", TOKEN);
    }

    @AfterAll
    static void stop() throws Exception {
        for (Path dir : restoredDirs) {
            PgCluster.stopServerOn(dir);
        }
        if (github != null) {
            github.close();
        }
        if (s3 != null) {
            s3.close();
        }
        if (work != null) {
            try (Stream<Path> all = Files.walk(work)) {
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    @Test
    void s3Target() throws Exception {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("FIRESAFE_S3_ENDPOINT", s3.endpoint());
        env.put("FIRESAFE_S3_PATH_STYLE", "true");
        env.put("AWS_REGION", "us-east-1");
        env.put("AWS_ACCESS_KEY_ID", "firesafe-it");
        env.put("AWS_SECRET_ACCESS_KEY", S3_SECRET);
        archiveFetchAndRecover("s3", "s3://" + S3Mock.BUCKET + "/pitr-" + UUID.randomUUID(), env);
    }

    @Test
    void gitHubTarget() throws Exception {
        // the token from a file the server's user can read, not on the archive_command line (pg_settings shows it)
        Path tokenFile = work.resolve("github.token");
        Files.writeString(tokenFile, TOKEN + "\n");
        Files.setPosixFilePermissions(tokenFile, PosixFilePermissions.fromString("rw-------"));
        PgCluster.giveToServer(tokenFile);
        Map<String, String> env = new LinkedHashMap<>();
        env.put("GITHUB_TOKEN", "");
        env.put("GITHUB_TOKEN_FILE", tokenFile.toString());
        env.put("FIRESAFE_GITHUB_API_URL", github.url());
        env.put("FIRESAFE_GITHUB_RETRY_BACKOFF", "10ms");
        List<Cli.Result> all = archiveFetchAndRecover("gh", "github://acme/vault/pitr?branch=main", env);
        for (Cli.Result r : all) {
            assertFalse(r.all().contains(TOKEN), "the token leaked:\n" + r);
        }
        assertTrue(github.files("main").keySet().stream().anyMatch(p -> p.startsWith("pitr/")),
                "the archive is in the repository: " + github.files("main").keySet());
    }

    /** The scenario on one target; returns every CLI result, for the caller's checks on the output. */
    private List<Cli.Result> archiveFetchAndRecover(String name, String target, Map<String, String> env)
            throws Exception {
        List<Cli.Result> results = new ArrayList<>();
        String envWords = env.entrySet().stream().map(e -> e.getKey() + "='" + e.getValue() + "'")
                .collect(Collectors.joining(" "));
        String archive = envWords + " FIRESAFE_MASTER_KEY_FILE=" + keyFile + " " + Path.of(System.getProperty(
                "java.home"), "bin", "java") + " -XX:TieredStopAtLevel=1 -jar " + Cli.jar().toAbsolutePath()
                + " wal-push %p --plan db --target '" + target + "'";
        Path home = Files.createDirectories(work.resolve("home-" + name));
        Cli cli = new Cli(home).env("FIRESAFE_MASTER_KEY_FILE", keyFile.toString());
        env.forEach(cli::env);
        PgCluster pg = PgCluster.start(PgCluster.requireServer(), List.of("--wal-segsize=1"),
                Map.of("wal_level", "replica", "archive_mode", "on", "archive_command", archive));
        boolean burned = false;
        try {
            int port = pg.port();
            sqlAt(port, "CREATE TABLE t (id int PRIMARY KEY, phase text)");
            sqlAt(port, "INSERT INTO t SELECT g, 'before base' FROM generate_series(1, 100) g");
            results.add(expect(0, cli.run("backup", "--plan", "db", "--postgres-base", "postgresql://postgres@"
                    + "127.0.0.1:" + port + "/", "--target", target)));
            sqlAt(port, "INSERT INTO t SELECT g, 'after base' FROM generate_series(101, 200) g");
            String segment = switchAndAwaitArchive(port, Duration.ofMinutes(2));
            for (int i = 0; i < 2; i++) {
                sqlAt(port, "INSERT INTO t VALUES (" + (1000 + i) + ", 'late')");
                switchAndAwaitArchive(port, Duration.ofMinutes(2));
            }
            // the server keeps a segment in pg_wal until a checkpoint after it is archived; none has run since
            // the base backup's (checkpoint_timeout is 5 minutes)
            Path dataDir = Path.of(sqlAt(port, "SHOW data_directory"));
            byte[] original = Files.readAllBytes(dataDir.resolve("pg_wal").resolve(segment));

            Path fetched = work.resolve(name + "-fetched");
            results.add(expect(0, cli.run("wal-fetch", segment, fetched.toString(), "--plan", "db", "--target",
                    target)));
            assertArrayEquals(original, Files.readAllBytes(fetched), "fetched back byte-identical");

            Path again = Files.createDirectories(work.resolve(name + "-again")).resolve(segment);
            Files.write(again, original);
            results.add(expect(0, cli.run("wal-push", again.toString(), "--plan", "db", "--target", target)));

            byte[] different = original.clone();
            different[different.length / 2] ^= 0x5a;
            Path other = Files.createDirectories(work.resolve(name + "-different")).resolve(segment);
            Files.write(other, different);
            Cli.Result refused = cli.run("wal-push", other.toString(), "--plan", "db", "--target", target);
            results.add(expect(4, refused));
            assertTrue(refused.stderr().contains(segment), refused.toString());
            Path after = work.resolve(name + "-fetched-after");
            results.add(expect(0, cli.run("wal-fetch", segment, after.toString(), "--plan", "db", "--target",
                    target)));
            assertArrayEquals(original, Files.readAllBytes(after), "the archived segment is unchanged");

            Cli.Result absent = cli.run("wal-fetch", "0000000100000000000000FF", work.resolve(name + "-absent")
                    .toString(), "--plan", "db", "--target", target);
            results.add(absent);
            assertNotEquals(0, absent.exitCode(), absent.toString());
            assertFalse(Files.exists(work.resolve(name + "-absent")));

            // the fire: the server gone; a point-in-time restore to the newest WAL, from this target only
            int expectedRows = Integer.parseInt(sqlAt(port, "SELECT count(*) FROM t"));
            assertEquals(202, expectedRows);
            burned = true;
            pg.close();
            Path restored = work.resolve(name + "-restored");
            restoredDirs.add(restored);
            int restoredPort = S3Mock.freePort();
            Cli.Result r = cli.run("restore", "--postgres-pitr", "--plan", "db", "--target", target, "--to",
                    restored.toString(), "--start-port", Integer.toString(restoredPort));
            results.add(expect(0, r));
            assertTrue(r.stdout().contains("finished recovery and accepts writes"), r.toString());
            assertEquals(Integer.toString(expectedRows), sqlAt(restoredPort, "SELECT count(*) FROM t"));
            assertEquals("2", sqlAt(restoredPort, "SELECT count(*) FROM t WHERE phase = 'late'"));
            sqlAt(restoredPort, "INSERT INTO t VALUES (5000, 'written after the restore')");
            PgCluster.stopServerOn(restored);
        } finally {
            if (!burned) {
                pg.close();
            }
        }
        return results;
    }

    private static Cli.Result expect(int exit, Cli.Result r) {
        assertEquals(exit, r.exitCode(), r.toString());
        return r;
    }

}
