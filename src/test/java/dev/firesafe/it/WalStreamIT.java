package dev.firesafe.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.firesafe.crypto.KeyRing;
import dev.firesafe.crypto.MasterKey;
import dev.firesafe.repository.wal.WalArchive;
import dev.firesafe.store.local.LocalStore;
import dev.firesafe.testing.Cli;
import dev.firesafe.testing.Host;
import dev.firesafe.testing.PgCluster;
import dev.firesafe.testing.StartedHosts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * WAL streaming in the packaged {@code serve} (issue #21 points 1b and 4) against a throwaway PostgreSQL cluster:
 * a receiver that dies is restarted and the restart shows in health and metrics; a target that is down makes
 * segments wait in the spool, the lag exceed the rpo (health DOWN, the {@code wal.lag} webhook), and when it is
 * back the queued segments are shipped and {@code wal.lag.recovered} is sent; {@code kill -9} of serve partway
 * through a segment, then a new serve: the receiver the killed host left is stopped and streaming resumes with
 * nothing lost.
 */
class WalStreamIT {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private PgCluster pg;
    private Cli cli;
    private MasterKey key;
    private Path functions;
    private Path target;
    private Path spool;
    private HttpServer webhook;
    private final BlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
    private final StartedHosts hosts = new StartedHosts();

    @BeforeEach
    void setUp() throws Exception {
        Path bin = PgCluster.requireServer();
        pg = PgCluster.start(bin);
        pg.sql("postgres", "CREATE TABLE t (id int PRIMARY KEY, pad text)");
        key = MasterKey.generate(65536);
        functions = Files.createDirectories(tmp.resolve("fns"));
        target = tmp.resolve("backups");
        spool = tmp.resolve("spool");
        webhook = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        webhook.createContext("/hook", exchange -> {
            events.add(JSON.readTree(exchange.getRequestBody().readAllBytes()));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        webhook.start();
        // the restored server runs restore_command as the postgres user: the key file and the folders on the way
        // must be readable by it
        Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Path keyFile = tmp.resolve("master.key");
        Files.writeString(keyFile, key.toEscrowText() + "\n");
        Files.setPosixFilePermissions(keyFile, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        PgCluster.giveToServer(keyFile);
        cli = new Cli(tmp).env("FIRESAFE_MASTER_KEY_FILE", keyFile.toString())
                .env("FIRESAFE_NOTIFY_URL", "http://127.0.0.1:" + webhook.getAddress().getPort() + "/hook");
        cli.jvm("-Dfiresafe.wal.restart-backoff=200ms").jvm("-Dfiresafe.wal.check-every=1s")
                .jvm("-Dfiresafe.functions-dir=" + functions).jvm("-Dfiresafe.drill.scratch-dir=" + tmp.resolve("scratch"));
        Files.writeString(functions.resolve("db.yaml"), "plan:\n"
                + "  sources:\n    - postgres-base: {host: 127.0.0.1, port: " + pg.port() + ", user: postgres}\n"
                + "  targets: [" + target + "]\n"
                + "wal:\n  host: 127.0.0.1\n  port: " + pg.port() + "\n  user: postgres\n"
                + "  spool: " + spool + "\n  spool-limit: 1GB\n  partial-every: 1s\n  rpo: 3s\n");
    }

    @AfterEach
    void tearDown() throws Exception {
        hosts.stopAll();
        webhook.stop(0);
        PgCluster.closeAll(pg);
    }

    private Host serve() throws IOException {
        return hosts.start(cli, tmp, "--functions", functions.toString());
    }

    /** The {@code wal db} check of /q/health. */
    private static JsonNode walCheck(Host host) {
        for (JsonNode check : host.get("/q/health").json().get("checks")) {
            if (check.get("name").asText().equals("wal db")) {
                return check;
            }
        }
        throw new AssertionError("no 'wal db' health check");
    }

    private static long data(Host host, String field) {
        JsonNode d = walCheck(host).get("data");
        return d.has(field) ? d.get(field).asLong() : -1;
    }

    private static double metric(Host host, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + "\\{function=\"db\"[^}]*\\} (\\S+)$")
                .matcher(host.get("/q/metrics").body());
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    private JsonNode awaitEvent(String event) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode e = events.poll(1, TimeUnit.SECONDS);
            if (e != null && e.get("event").asText().equals(event)) {
                return e;
            }
        }
        throw new AssertionError("no webhook event " + event);
    }

    private String writeAndSwitch(int from, int rows) throws Exception {
        insert(from, rows);
        return pg.sql("postgres", "SELECT pg_walfile_name(pg_switch_wal())").strip();
    }

    private void insert(int from, int rows) throws Exception {
        pg.sql("postgres", "INSERT INTO t SELECT g, repeat('x', 100) FROM generate_series(" + from + ", "
                + (from + rows - 1) + ") g");
    }

    private boolean archived(String segment) {
        try {
            return WalArchive.forListing(new LocalStore(target), "db").list().find(segment).isPresent();
        } catch (IOException e) {
            return false;
        }
    }

    private long receiverPid() throws IOException {
        return Long.parseLong(Files.readString(spool.resolve("receiver.pid")).strip());
    }

    @Test
    void restartsAndATargetDownShowInHealthMetricsAndAlertsThenTheQueueDrains() throws Exception {
        Host host = serve();
        host.awaitCondition(() -> walCheck(host).get("data").get("receiver").asText().equals("running"), WAIT,
                "the receiver runs");

        // a slot a removed function left behind keeps WAL on the server: health DOWN naming it, counted
        pg.sql("postgres", "SELECT pg_create_physical_replication_slot('firesafe_removed', true)");
        host.awaitCondition(() -> walCheck(host).get("data").has("slot-left-behind firesafe_removed"), WAIT,
                "the slot left behind is reported");
        JsonNode left = walCheck(host);
        assertEquals("DOWN", left.get("status").asText(), left.toString());
        assertTrue(left.get("data").get("slot-left-behind firesafe_removed").asText()
                .contains("pg_drop_replication_slot('firesafe_removed')"), left.toString());
        assertEquals(1.0, metric(host, "firesafe_wal_slots_left_behind"));
        pg.sql("postgres", "SELECT pg_drop_replication_slot('firesafe_removed')");
        host.awaitCondition(() -> walCheck(host).get("status").asText().equals("UP"), WAIT, "UP once dropped");

        // the receiver dies: restarted after the backoff, counted in health and metrics
        long pid = receiverPid();
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        host.awaitCondition(() -> data(host, "receiver-restarts") == 1
                && walCheck(host).get("data").get("receiver").asText().equals("running"), WAIT, "one restart");
        assertTrue(walCheck(host).get("data").get("last-receiver-exit").asText().startsWith("exit code"));
        assertEquals(1.0, metric(host, "firesafe_wal_receiver_restarts_total"));

        // the target goes away: segments wait, the lag passes the rpo, health DOWN, webhook wal.lag
        Path away = tmp.resolve("backups.away");
        String first = writeAndSwitch(1, 100);
        host.awaitCondition(() -> archived(first), WAIT, "segment " + first + " archived");
        host.awaitCondition(() -> walCheck(host).get("status").asText().equals("UP"), WAIT, "health UP");
        events.clear(); // an alert of the start (the lag counts from the host's start until streaming begins)
        Files.move(target, away);
        Files.writeString(target, "not a folder: the target is down");
        String a = writeAndSwitch(1000, 100);
        String b = writeAndSwitch(2000, 100);
        host.awaitCondition(() -> data(host, "segments-waiting") >= 2, WAIT, "segments waiting in the spool");
        JsonNode lag = awaitEvent("wal.lag");
        assertEquals("db", lag.get("function").asText());
        assertTrue(lag.get("error").asText().contains("exceeds rpo 3s"), lag.toString());
        JsonNode down = walCheck(host);
        assertEquals("DOWN", down.get("status").asText(), down + "\nalert: " + lag + "\nlog:\n" + host.log());
        assertTrue(down.get("data").has("last-push-error"), down.toString());
        assertTrue(metric(host, "firesafe_wal_archive_lag_seconds") > 3, host.get("/q/metrics").body());
        assertTrue(metric(host, "firesafe_wal_segments_waiting") >= 2);
        assertEquals(3.0, metric(host, "firesafe_wal_rpo_seconds"));

        // back: the queue drains in order, the lag falls, wal.lag.recovered
        Files.delete(target);
        Files.move(away, target);
        host.awaitCondition(() -> archived(a) && archived(b), WAIT, "the queued segments shipped");
        awaitEvent("wal.lag.recovered");
        host.awaitCondition(() -> walCheck(host).get("status").asText().equals("UP")
                && data(host, "segments-waiting") == 0, WAIT, "health UP again");
        assertEquals(0.0, metric(host, "firesafe_wal_segments_waiting"));
    }

    @Test
    void killMinusNineOfServeMidSegmentThenANewServeResumesWithNothingLostAndADrillRecoversIt() throws Exception {
        Host first = serve();
        first.awaitCondition(() -> walCheck(first).get("data").get("receiver").asText().equals("running"), WAIT,
                "the receiver runs");
        Cli.Result base = cli.run("backup", "--plan", "db");
        assertEquals(0, base.exitCode(), base.toString());
        insert(1, 300);
        String segment = pg.sql("postgres", "SELECT pg_walfile_name(pg_current_wal_lsn())").strip();
        first.awaitCondition(() -> {
            try {
                return WalArchive.forListing(new LocalStore(target), "db").list().newestPartial(segment).isPresent();
            } catch (IOException e) {
                return false;
            }
        }, WAIT, "a partial version of " + segment + " archived");
        long receiver = receiverPid();
        first.kill(); // partway through the segment: nothing switched, the receiver's file is a .partial
        assertTrue(ProcessHandle.of(receiver).map(ProcessHandle::isAlive).orElse(false),
                "pg_receivewal outlives the killed host (it is stopped by the next one)");
        insert(301, 100);
        String lsn = pg.sql("postgres", "SELECT pg_current_wal_lsn()").strip();

        Host second = serve();
        second.await("stopping pg_receivewal (pid " + receiver + ") left running", WAIT);
        assertTrue(ProcessHandle.of(receiver).map(h -> !h.isAlive()).orElse(true), "the old receiver is gone");
        second.awaitCondition(() -> archivedUpTo(lsn), WAIT, "the archive holds the WAL up to " + lsn);
        second.awaitCondition(() -> walCheck(second).get("status").asText().equals("UP"), WAIT, "health UP");
        assertEquals(0, data(second, "receiver-restarts"), "the new host started its receiver once");
        assertNotNull(segment);
        second.kill(); // the fire: host and cluster gone; the receiver the killed host left is stopped with it
        ProcessHandle.of(receiverPid()).ifPresent(ProcessHandle::destroyForcibly);
        pg.close();
        pg = null;

        // every row written before and while the host was down is recovered, once each
        Path restored = tmp.resolve("restored");
        int port = dev.firesafe.testing.S3Mock.freePort();
        Cli.Result r = cli.run("restore", "--postgres-pitr", "--plan", "db", "--to", restored.toString(),
                "--start-port", Integer.toString(port));
        try {
            assertEquals(0, r.exitCode(), r.toString());
            assertEquals("400|400|1|400", PgCluster.sqlAt(port, "SELECT count(*), count(DISTINCT id), min(id), max(id) FROM t"));
        } finally {
            PgCluster.stopServerOn(restored);
        }

        // the PITR drill: a scratch cluster recovered, started, asked, stopped and removed; the RTO reported
        Cli.Result drill = cli.run("drill", "db", "--postgres-pitr", "--query", "SELECT count(*) FROM t");
        assertEquals(0, drill.exitCode(), drill.toString());
        assertTrue(drill.stdout().contains("answered SELECT 1 and the query (1 row(s): 400)"), drill.toString());
        assertTrue(drill.stdout().matches("(?s).*RTO \\d+(\\.\\d+)? s.*"), drill.toString());
        try (var left = Files.list(tmp.resolve("scratch"))) {
            assertEquals(List.of(), left.toList(), "the scratch cluster is removed");
        }
        Cli.Result failing = cli.run("drill", "db", "--postgres-pitr", "--query", "SELECT * FROM no_such_table");
        assertEquals(6, failing.exitCode(), failing.toString());
        assertTrue(failing.stdout().contains("no_such_table"), failing.toString());
    }

    @Test
    void withNoPgReceivewalOfTheServersVersionHealthIsDownAtOnceSayingWhyAndNothingCountsAsARestart()
            throws Exception {
        // only a version-14 pg_receivewal along the client paths: a script that records whether it ever ran
        Path clients = Files.createDirectories(tmp.resolve("old-clients"));
        Path receivewal = clients.resolve("pg_receivewal");
        Path ran = tmp.resolve("old-client-ran");
        Files.writeString(receivewal, "#!/bin/sh\nif [ \"$1\" = --version ]; then echo 'pg_receivewal (PostgreSQL) "
                + "14.11'; exit 0; fi\ntouch '" + ran + "'\n");
        Files.setPosixFilePermissions(receivewal, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        cli.env("FIRESAFE_POSTGRES_CLIENT_PATHS", clients.toString());
        Host host = serve();
        host.awaitCondition(() -> walCheck(host).get("data").has("receiver-cannot-start"), WAIT,
                "health says the receiver cannot start");
        JsonNode check = walCheck(host);
        // DOWN at once, not only once the lag passes the rpo
        assertEquals("DOWN", check.get("status").asText(), check.toString());
        int major = Integer.parseInt(pg.sql("postgres", "SHOW server_version_num").strip()) / 10000;
        String why = check.get("data").get("receiver-cannot-start").asText();
        for (String part : List.of("pg_receivewal must be version " + major + " or newer", receivewal + " (14.11)",
                "apt-get install postgresql-client-" + major)) {
            assertTrue(why.contains(part), "should say '" + part + "': " + check);
        }
        assertEquals(0, data(host, "receiver-restarts"), check.toString());
        assertEquals(1.0, metric(host, "firesafe_wal_receiver_start_failing"), host.get("/q/metrics").body());
        assertEquals(0.0, metric(host, "firesafe_wal_receiver_restarts_total"));
        assertFalse(Files.exists(ran), "the old client never ran");
    }

    @Test
    void aFailingArchiveCommandShowsInHealthMetricsAndAlerts() throws Exception {
        // archive_command mode: serve only watches pg_stat_archiver; here the command always fails
        String dataDir = pg.sql("postgres", "SHOW data_directory").strip();
        pg.sql("postgres", "ALTER SYSTEM SET archive_mode = on");
        pg.sql("postgres", "ALTER SYSTEM SET archive_command = 'false'");
        List<String> restart = new java.util.ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) {
            restart.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        restart.addAll(List.of(PgCluster.serverBin().resolve("pg_ctl").toString(), "-D", dataDir, "-m", "fast",
                "-w", "restart"));
        Process p = new ProcessBuilder(restart).redirectErrorStream(true).redirectOutput(
                tmp.resolve("restart.log").toFile()).start();
        assertEquals(0, p.waitFor(), Files.readString(tmp.resolve("restart.log")));
        Files.writeString(functions.resolve("db.yaml"), "plan:\n  targets: [" + target + "]\n"
                + "wal:\n  host: 127.0.0.1\n  port: " + pg.port() + "\n  user: postgres\n"
                + "  mode: archive-command\n  rpo: 3s\n");
        Host host = serve();
        writeAndSwitch(1, 100);
        writeAndSwitch(1000, 100);
        // both switches' segments fail to archive; the check shows them once the archiver has tried each
        host.awaitCondition(() -> {
            JsonNode data = walCheck(host).get("data");
            return data.has("archiver") && data.get("segments-waiting").asLong() >= 2;
        }, WAIT, "the failing archiver shown with both segments waiting");
        JsonNode failing = walCheck(host);
        assertEquals("DOWN", failing.get("status").asText(), failing.toString());
        assertTrue(failing.get("data").get("archiver-failed-count").asLong() >= 1, failing.toString());
        assertTrue(failing.get("data").get("pg-wal-bytes").asLong() >= 2 * 16L << 20, failing.toString());
        assertTrue(failing.get("data").get("segments-waiting").asLong() >= 2, failing.toString());
        assertTrue(metric(host, "firesafe_wal_archiver_failed") >= 1, host.get("/q/metrics").body());
        assertTrue(metric(host, "firesafe_wal_pg_wal_bytes") >= 2 * 16L << 20);
        JsonNode lag = awaitEvent("wal.lag");
        assertTrue(lag.get("error").asText().contains("archive_command failing"), lag.toString());
    }

    /**
     * Whether the archived WAL reaches {@code lsn}: the segment holding it, complete or as its newest partial
     * version, has WAL (not the zeros of a segment file not yet written) in the 8 bytes before it.
     */
    private boolean archivedUpTo(String lsn) {
        try {
            String[] parts = lsn.split("/");
            long pos = (Long.parseLong(parts[0], 16) << 32) | Long.parseLong(parts[1], 16);
            long segSize = 16L << 20;
            long segNo = pos / segSize;
            String name = String.format("%08X%08X%08X", 1, segNo / (0x100000000L / segSize),
                    segNo % (0x100000000L / segSize));
            Path dest = tmp.resolve("fetched-" + System.nanoTime());
            WalArchive.Fetched got = WalArchive.forReading(new LocalStore(target), "db", KeyRing.of(key))
                    .fetch(name, dest);
            if (got == WalArchive.Fetched.ABSENT) {
                return false;
            }
            byte[] bytes = Files.readAllBytes(dest);
            Files.delete(dest);
            int off = (int) (pos % segSize);
            for (int i = Math.max(0, off - 8); i < off; i++) {
                if (bytes[i] != 0) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            return false;
        }
    }
}
