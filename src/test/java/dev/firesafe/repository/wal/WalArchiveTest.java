package dev.firesafe.repository.wal;

import dev.firesafe.core.ExitCode;
import dev.firesafe.core.FiresafeException;
import dev.firesafe.crypto.ContentKey;
import dev.firesafe.crypto.KeyRing;
import dev.firesafe.crypto.MasterKey;
import dev.firesafe.crypto.RecoveryKey;
import dev.firesafe.crypto.WriteOnlyKey;
import dev.firesafe.store.local.LocalStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The WAL archive's contract: sealed objects, idempotent pushes, refusals, fetch by name, listing. */
class WalArchiveTest {

    private static final String SEG1 = "000000010000000000000001";
    private static final String SEG2 = "000000010000000000000002";

    @TempDir
    Path tmp;

    private final MasterKey master = MasterKey.generate(64 * 1024);

    private WalArchive masterArchive(LocalStore store) {
        return WalArchive.forPushing(store, "db", master, master.contentKey(), Optional.of(KeyRing.of(master)), 3,
                Clock.systemUTC());
    }

    private Path file(String name, long seed, int size) throws IOException {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        Path p = tmp.resolve("src-" + name + "-" + seed);
        Files.write(p, b);
        return p;
    }

    @Test
    void pushesSealedObjectsUnderPlanWalTimelineAndFetchesThemBack() throws IOException {
        LocalStore store = new LocalStore(tmp.resolve("target"));
        WalArchive archive = masterArchive(store);
        Path seg = file(SEG1, 1, 1 << 20);
        assertEquals(WalArchive.Pushed.STORED, archive.push(SEG1, seg));
        Path object = tmp.resolve("target/db/wal/00000001/" + SEG1);
        assertTrue(Files.isRegularFile(object));
        byte[] stored = Files.readAllBytes(object);
        assertEquals("FIRESAFE", new String(stored, 0, 8, java.nio.charset.StandardCharsets.US_ASCII));
        assertFalse(contains(stored, Files.readAllBytes(seg), 64), "the object holds no plaintext");

        Path dest = tmp.resolve("pg_wal/RECOVERYXLOG");
        Files.createDirectories(dest.getParent());
        assertEquals(WalArchive.Fetched.FETCHED, WalArchive.forReading(store, "db", KeyRing.of(master))
                .fetch(SEG1, dest));
        assertArrayEquals(Files.readAllBytes(seg), Files.readAllBytes(dest));
        assertEquals(WalArchive.Fetched.ABSENT, archive.fetch(SEG2, tmp.resolve("pg_wal/other")));
        assertFalse(Files.exists(tmp.resolve("pg_wal/other")));
    }

    @Test
    void sameContentAgainIsAlreadyStoredAndDifferentContentIsRefused() throws IOException {
        LocalStore store = new LocalStore(tmp.resolve("target"));
        WalArchive archive = masterArchive(store);
        Path seg = file(SEG1, 1, 100_000);
        archive.push(SEG1, seg);
        byte[] before = Files.readAllBytes(tmp.resolve("target/db/wal/00000001/" + SEG1));
        assertEquals(WalArchive.Pushed.ALREADY_STORED, archive.push(SEG1, file(SEG1, 1, 100_000)));
        FiresafeException e = assertThrows(FiresafeException.class, () -> archive.push(SEG1, file(SEG1, 2, 100_000)));
        assertEquals(ExitCode.INTEGRITY, e.exitCode());
        assertTrue(e.getMessage().contains("holds a different " + SEG1), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(tmp.resolve("target/db/wal/00000001/" + SEG1)),
                "the archived file is kept");
    }

    @Test
    void afterAKeyRotationTheSameBytesAreStillRecognised() throws IOException {
        LocalStore store = new LocalStore(tmp.resolve("target"));
        Path seg = file(SEG1, 1, 100_000);
        masterArchive(store).push(SEG1, seg);
        MasterKey rotated = master.rotate(64 * 1024);
        WalArchive after = WalArchive.forPushing(store, "db", rotated, rotated.contentKey(),
                Optional.of(KeyRing.of(rotated)), 3, Clock.systemUTC());
        assertEquals(WalArchive.Pushed.ALREADY_STORED, after.push(SEG1, seg));
        assertThrows(FiresafeException.class, () -> after.push(SEG1, file(SEG1, 3, 100_000)));
    }

    @Test
    void writeOnlyHostArchivesWhatOnlyTheRecoveryKeyReads() throws IOException {
        LocalStore store = new LocalStore(tmp.resolve("target"));
        RecoveryKey recovery = RecoveryKey.generate();
        ContentKey hostContentKey = ContentKey.generate();
        WalArchive host = WalArchive.forPushing(store, "db", new WriteOnlyKey(recovery.publicKey(), 64 * 1024),
                hostContentKey, Optional.empty(), 3, Clock.systemUTC());
        Path seg = file(SEG1, 1, 200_000);
        assertEquals(WalArchive.Pushed.STORED, host.push(SEG1, seg));
        assertEquals(WalArchive.Pushed.ALREADY_STORED, host.push(SEG1, seg));
        FiresafeException different = assertThrows(FiresafeException.class,
                () -> host.push(SEG1, file(SEG1, 2, 200_000)));
        assertEquals(ExitCode.INTEGRITY, different.exitCode());

        Path dest = tmp.resolve("out");
        FiresafeException noKey = assertThrows(FiresafeException.class, () -> WalArchive.forReading(store, "db",
                KeyRing.of(master)).fetch(SEG1, dest));
        assertEquals(ExitCode.KEY, noKey.exitCode());
        assertFalse(Files.exists(dest), "a wrong key writes nothing");
        KeyRing recoveryRing = new KeyRing(Optional.empty(), java.util.List.of(recovery));
        WalArchive.forReading(store, "db", recoveryRing).fetch(SEG1, dest);
        assertArrayEquals(Files.readAllBytes(seg), Files.readAllBytes(dest));
    }

    @Test
    void aSwappedObjectFailsAtFetch() throws IOException {
        LocalStore store = new LocalStore(tmp.resolve("target"));
        WalArchive archive = masterArchive(store);
        archive.push(SEG1, file(SEG1, 1, 10_000));
        archive.push(SEG2, file(SEG2, 2, 10_000));
        Path dir = tmp.resolve("target/db/wal/00000001");
        Files.copy(dir.resolve(SEG1), dir.resolve(SEG2), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        FiresafeException e = assertThrows(FiresafeException.class, () -> archive.fetch(SEG2, tmp.resolve("x")));
        assertEquals(ExitCode.INTEGRITY, e.exitCode());
    }

    @Test
    void listsPerTimelineWithHistoriesAndServesTheNewestPartial() throws IOException {
        LocalStore store = new LocalStore(tmp.resolve("target"));
        Clock[] clock = {Clock.fixed(Instant.parse("2026-12-06T10:00:00Z"), ZoneOffset.UTC)};
        WalArchive archive = WalArchive.forPushing(store, "db", master, master.contentKey(),
                Optional.of(KeyRing.of(master)), 3, new Clock() {
                    public java.time.ZoneId getZone() { return ZoneOffset.UTC; }
                    public Clock withZone(java.time.ZoneId z) { return this; }
                    public Instant instant() { return clock[0].instant(); }
                });
        archive.push(SEG1, file(SEG1, 1, 1000));
        archive.push("00000002.history", file("h", 2, 50));
        archive.push("000000020000000000000001", file("t2", 3, 1000));
        archive.push(SEG1 + ".00000028.backup", file("b", 4, 300));
        archive.pushPartial(SEG2, file("p1", 5, 1000));
        clock[0] = Clock.offset(clock[0], java.time.Duration.ofSeconds(5));
        Path newest = file("p2", 6, 1000);
        archive.pushPartial(SEG2, newest);

        WalListing listing = archive.list();
        assertEquals(java.util.List.of(1, 2), java.util.List.copyOf(listing.timelines()));
        assertEquals(java.util.List.of(SEG1), listing.segments(1).stream().map(i -> i.name().name()).toList());
        assertEquals(1, listing.histories().size());
        assertEquals(1, listing.backupLabels().size());
        assertEquals(1, listing.partials().size(), "older partial versions are deleted");

        Path dest = tmp.resolve("seg2");
        assertEquals(WalArchive.Fetched.PARTIAL, archive.fetch(SEG2, dest));
        assertArrayEquals(Files.readAllBytes(newest), Files.readAllBytes(dest));
        archive.push(SEG2, file(SEG2, 7, 1000));
        assertEquals(1, archive.removeSuperseded(archive.list()));
        assertEquals(0, archive.list().partials().size());
        FiresafeException notPowerOfTwo = assertThrows(FiresafeException.class,
                () -> archive.segmentSize(archive.list().segments(1).get(0)));
        assertTrue(notPowerOfTwo.getMessage().contains("segment size 1000"), notPowerOfTwo.getMessage());
    }

    @Test
    void namesAndLsns() {
        assertEquals(1, WalName.parse(SEG1).segmentNumber(16 << 20));
        assertEquals(256, WalName.parse("000000010000000100000000").segmentNumber(16 << 20));
        assertEquals("000000030000000100000000", WalName.segment(3, 256, 16 << 20).name());
        assertEquals("000000010000000000000100", WalName.segment(1, 256, 1 << 20).name());
        assertEquals("0/3000028", Lsn.parse("0/3000028").toString());
        assertEquals(3, Lsn.parse("0/3000028").segment(16 << 20));
        assertThrows(FiresafeException.class, () -> WalName.parse("RECOVERYXLOG"));
    }

    private static boolean contains(byte[] hay, byte[] needle, int len) {
        outer:
        for (int i = 0; i + len <= hay.length; i++) {
            for (int j = 0; j < len; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
