package dev.firesafe.engine.walstream;

import dev.firesafe.crypto.KeyRing;
import dev.firesafe.crypto.MasterKey;
import dev.firesafe.plan.PostgresSource;
import dev.firesafe.plan.WalSpec;
import dev.firesafe.postgres.PgClients;
import dev.firesafe.postgres.WalReceiver;
import dev.firesafe.repository.wal.WalArchive;
import dev.firesafe.repository.wal.WalListing;
import dev.firesafe.store.local.LocalStore;
import dev.firesafe.testing.PgCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A WAL stream against a throwaway PostgreSQL cluster, with the real {@code pg_receivewal} and the real WAL
 * archive on a local target: completed segments and the partial one reach the archive, a receiver that dies is
 * restarted after a growing backoff, and a target that is down makes segments queue in the spool up to its bound
 * (the receiver then stops and the slot keeps the WAL on the server) and drain, with no gap, when it is back.
 */
class WalStreamTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final long SEGMENT = 16L << 20;

    @TempDir
    Path tmp;

    private PgCluster pg;
    private WalStream stream;
    private final MasterKey master = MasterKey.generate(64 * 1024);
    private Path target;

    @BeforeEach
    void setUp() throws Exception {
        Path bin = PgCluster.requireServer();
        pg = PgCluster.start(bin);
        pg.sql("postgres", "CREATE TABLE t (id int PRIMARY KEY, pad text)");
        target = tmp.resolve("target");
    }

    @AfterEach
    void tearDown() throws Exception {
        if (stream != null) {
            stream.close();
        }
        PgCluster.closeAll(pg);
    }

    private WalSpec spec(long spoolLimit) {
        return new WalSpec(new PostgresSource("127.0.0.1", pg.port(), "postgres", null, null, null),
                WalSpec.Mode.STREAM, "firesafe_test", false, null, spoolLimit, Duration.ofMillis(300),
                Duration.ofMinutes(5));
    }

    private WalArchive archive() {
        return WalArchive.forPushing(new LocalStore(target), "db", master, master.contentKey(),
                Optional.of(KeyRing.of(master)), 3, Clock.systemUTC());
    }

    private WalStream start(long spoolLimit, Duration firstRestart) throws IOException {
        startWith(spoolLimit, firstRestart, new PgClients(List.of(PgCluster.serverBin().toString())));
        await(() -> stream.status().receiverUp(), "the receiver runs");
        return stream;
    }

    /** Starts the stream with {@code clients} as the client search, not waiting for the receiver. */
    private void startWith(long spoolLimit, Duration firstRestart, PgClients clients) throws IOException {
        Supplier<WalArchive> opener = this::archive;
        stream = new WalStream("db", spec(spoolLimit), tmp.resolve("spool"), clients,
                new ArchiveShipping(List.of(opener)),
                new WalStream.Settings(Duration.ofMillis(50), firstRestart, Duration.ofSeconds(10),
                        Duration.ofSeconds(30), Duration.ofMillis(100), Duration.ofMillis(400), Duration.ofSeconds(1)),
                Clock.systemUTC());
        stream.start();
    }

    private WalListing listing() throws IOException {
        return WalArchive.forListing(new LocalStore(target), "db").list();
    }

    private void await(Check condition, String what) {
        Instant deadline = Instant.now().plus(WAIT);
        while (true) {
            try {
                if (condition.holds()) {
                    return;
                }
            } catch (Exception e) {
                // not yet (a listing of a target that is being moved back, a query of a restarting server)
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("timed out waiting until " + what + "; status " + stream.status());
            }
            Thread.onSpinWait();
            try {
                Thread.sleep(20); // a poll interval, not synchronisation: the condition decides
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    private interface Check {
        boolean holds() throws Exception;
    }

    /** Writes rows and switches to the next segment; returns the name of the segment switched from. */
    private String writeAndSwitch(int from, int rows) throws Exception {
        pg.sql("postgres", "INSERT INTO t SELECT g, repeat('x', 200) FROM generate_series(" + from + ", "
                + (from + rows - 1) + ") g");
        return pg.sql("postgres", "SELECT pg_walfile_name(pg_switch_wal())").strip();
    }

    private String currentSegment() throws Exception {
        return pg.sql("postgres", "SELECT pg_walfile_name(pg_current_wal_lsn())").strip();
    }

    @Test
    void shipsEveryCompletedSegmentAndThePartialOneOnItsTimer() throws Exception {
        start(1L << 30, Duration.ofMillis(200));
        String switched = writeAndSwitch(1, 1000);
        await(() -> listing().find(switched).isPresent(), "segment " + switched + " is archived");
        pg.sql("postgres", "INSERT INTO t VALUES (100000, 'after the switch')");
        String current = currentSegment();
        await(() -> listing().newestPartial(current).isPresent(), "a partial version of " + current + " is archived");
        await(() -> stream.status().waitingSegments() == 0, "the spool holds no completed segment");
        assertFalse(Files.exists(tmp.resolve("spool").resolve(switched)), "shipped segments leave the spool");
        StreamStatus s = stream.status();
        assertTrue(s.lag().compareTo(Duration.ofSeconds(5)) < 0, "lag stays within the partial timer: " + s);
        assertEquals(switched.compareTo(current) < 0, true);
        assertTrue(s.lastArchivedAt() != null);
    }

    @Test
    void withNoClientOfTheServersVersionItSaysWhyKeepsTheWalInTheSlotAndStreamsItOnceOneIsInstalled()
            throws Exception {
        // only a version-14 pg_receivewal on the client path: a script that records whether it ever ran
        Path clients = Files.createDirectories(tmp.resolve("clients"));
        Path receivewal = clients.resolve("pg_receivewal");
        Path ran = tmp.resolve("old-client-ran");
        Files.writeString(receivewal, "#!/bin/sh\nif [ \"$1\" = --version ]; then echo 'pg_receivewal (PostgreSQL) "
                + "14.11'; exit 0; fi\ntouch '" + ran + "'\n");
        Files.setPosixFilePermissions(receivewal, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        startWith(1L << 30, Duration.ofMillis(200), new PgClients(List.of(clients.toString())));
        await(() -> stream.status().state().equals("cannot start"), "the start fails");

        StreamStatus s = stream.status();
        int num = Integer.parseInt(pg.sql("postgres", "SHOW server_version_num").strip());
        int major = num / 10000;
        for (String part : List.of("is version " + major + "." + num % 10000, "pg_receivewal must be version " + major
                + " or newer", receivewal + " (14.11)", "apt-get install postgresql-client-" + major)) {
            assertTrue(s.startError() != null && s.startError().contains(part), "should say '" + part + "': " + s);
        }
        assertFalse(s.receiverUp(), s.toString());
        assertEquals(0, s.restarts(), "a start that ran no child is not a restart: " + s);
        assertTrue(s.startFailures() >= 1, s.toString());
        assertFalse(Files.exists(ran), "the old client never ran");

        // WAL written meanwhile is kept by the slot, which exists although no receiver could start
        assertEquals("1", pg.sql("postgres", "SELECT count(*) FROM pg_replication_slots WHERE slot_name = "
                + "'firesafe_test' AND restart_lsn IS NOT NULL").strip());
        String during = writeAndSwitch(1, 1000);
        assertEquals(List.of(), spoolSegments(), "nothing received while no client fits");
        assertTrue(listing().find(during).isEmpty(), "nothing archived while no client fits");

        // the matching client is installed: the next attempt streams from the slot, with no gap
        Files.delete(receivewal);
        Files.createSymbolicLink(receivewal, PgCluster.serverBin().resolve("pg_receivewal"));
        await(() -> listing().find(during).isPresent(), "the segment written while no client fit is archived");
        StreamStatus after = stream.status();
        assertEquals(null, after.startError(), after.toString());
        assertEquals(0, after.restarts(), after.toString());
        assertFalse(Files.exists(ran));
    }

    private List<String> spoolSegments() throws IOException {
        Path spool = tmp.resolve("spool");
        try (var files = Files.list(spool)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.matches("[0-9A-F]{24}(\\.partial)?"))
                    .sorted().toList();
        }
    }

    @Test
    void aPartialFileOnlyBegunByAKilledReceiverDoesNotBlockTheNextOne() throws Exception {
        // pg_receivewal fills a new segment file with zeros first; killed meanwhile, it leaves a short one, which
        // the next pg_receivewal refuses on every start ("has 12582912 bytes, should be 0 or 16777216")
        Path spool = Files.createDirectories(tmp.resolve("spool"));
        Files.write(spool.resolve("000000010000000000000001.partial"), new byte[12 << 20]);
        start(1L << 30, Duration.ofMillis(200));
        String switched = writeAndSwitch(1, 100);
        await(() -> listing().find(switched).isPresent(), "segment " + switched + " is archived");
        assertEquals(0, stream.status().restarts(), stream.status().toString());
    }

    @Test
    void aReceiverThatDiesIsRestartedWithAGrowingBackoffAndCounted() throws Exception {
        Duration first = Duration.ofMillis(400);
        start(1L << 30, first);
        Path pidFile = tmp.resolve("spool").resolve(WalStream.PID_FILE);
        for (int kill = 1; kill <= 2; kill++) {
            long pid = Long.parseLong(Files.readString(pidFile).strip());
            Instant killedAt = Instant.now();
            ProcessHandle.of(pid).orElseThrow().destroyForcibly();
            int restarts = kill;
            await(() -> stream.status().restarts() == restarts && stream.status().receiverUp(),
                    "restart " + restarts);
            StreamStatus s = stream.status();
            Duration waited = Duration.between(killedAt, s.lastRestart());
            // the second failure in a row waits twice as long as the first
            Duration expected = first.multipliedBy(kill == 1 ? 1 : 2);
            assertTrue(waited.compareTo(expected) >= 0, "restart " + kill + " after " + waited + ", expected >= "
                    + expected);
            assertTrue(s.lastReceiverExit().startsWith("exit code"), s.lastReceiverExit());
            assertNotEquals(pid, Long.parseLong(Files.readString(pidFile).strip()));
        }
        // still streaming after the restarts
        String switched = writeAndSwitch(1, 100);
        await(() -> listing().find(switched).isPresent(), "segment " + switched + " is archived after restarts");
    }

    @Test
    void aTargetDownQueuesSegmentsUpToTheBoundThenDrainsWithNoGap() throws Exception {
        start(3 * SEGMENT, Duration.ofMillis(200));
        String firstSwitch = writeAndSwitch(1, 100);
        await(() -> listing().find(firstSwitch).isPresent(), "the first segment is archived");

        // the target goes away: a file where its folder was
        Path away = tmp.resolve("target.away");
        Files.move(target, away);
        Files.writeString(target, "not a folder");
        String last = null;
        for (int i = 0; i < 5; i++) {
            last = writeAndSwitch(1000 * (i + 1), 100);
        }
        await(() -> stream.status().spoolFull(), "the spool reaches its bound");
        await(() -> stream.status().state().startsWith("paused") && !stream.status().receiverUp(),
                "the receiver is stopped at the bound");
        StreamStatus full = stream.status();
        assertTrue(full.waitingSegments() >= 2, full.toString());
        assertTrue(full.lastShipError() != null, "the failing push is shown: " + full);
        WalReceiver server = stream.receiver();
        WalReceiver.Slot slot = server.slots().stream().filter(x -> x.name().equals("firesafe_test")).findFirst()
                .orElseThrow();
        assertFalse(slot.active(), "nobody acknowledges WAL while the spool is full");
        assertTrue(slot.retainedBytes() > SEGMENT, "the slot keeps the WAL not received on the server: " + slot);

        // back: everything queued and everything the server kept reaches the archive, in order, no gap
        Files.delete(target);
        Files.move(away, target);
        String lastSwitched = last;
        await(() -> listing().find(lastSwitched).isPresent(), "the last switched segment " + lastSwitched
                + " is archived");
        await(() -> stream.status().receiverUp() && stream.status().waitingSegments() == 0, "the spool drains");
        List<WalListing.Item> segments = listing().segments(1);
        long segmentSize = SEGMENT;
        long firstNumber = segments.get(0).name().segmentNumber(segmentSize);
        for (int i = 0; i < segments.size(); i++) {
            assertEquals(firstNumber + i, segments.get(i).name().segmentNumber(segmentSize),
                    "no gap in the archive: " + segments);
        }
        assertTrue(stream.status().restarts() >= 1, "the receiver was started again after the pause");
    }
}
