package dev.firesafe.engine.wal;

import dev.firesafe.crypto.KeyRing;
import dev.firesafe.crypto.MasterKey;
import dev.firesafe.repository.wal.Lsn;
import dev.firesafe.repository.wal.WalArchive;
import dev.firesafe.repository.wal.WalName;
import dev.firesafe.store.local.LocalStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Base backups found by their history files, gaps named by LSN range, timelines followed, and WAL retention. */
class WalInventoryTest {

    private static final long MB = 1 << 20;
    private static final String ID = "20261206T100000.000Z-0badcafe";

    @TempDir
    Path tmp;

    private final MasterKey key = MasterKey.generate(64 * 1024);
    private LocalStore store;
    private WalArchive archive;

    private void push(String name, byte[] content) throws IOException {
        Path f = tmp.resolve("f-" + name);
        Files.write(f, content);
        archive.push(name, f);
    }

    private void segment(int tl, long n) throws IOException {
        byte[] b = new byte[(int) MB];
        b[0] = (byte) n;
        b[1] = (byte) tl;
        push(WalName.segment(tl, n, MB).name(), b);
    }

    private void setUp(long first, long last) throws IOException {
        store = new LocalStore(tmp.resolve("t"));
        archive = WalArchive.forPushing(store, "db", key, key.contentKey(), Optional.of(KeyRing.of(key)), 1,
                Clock.systemUTC());
        for (long n = first; n <= last; n++) {
            segment(1, n);
        }
        push("000000010000000000000002.00000028.backup", ("START WAL LOCATION: 0/200028 (file "
                + "000000010000000000000002)\nSTOP WAL LOCATION: 0/300100 (file 000000010000000000000003)\n"
                + "CHECKPOINT LOCATION: 0/200060\nBACKUP METHOD: streamed\nBACKUP FROM: primary\n"
                + "START TIME: 2026-12-06 10:00:01 UTC\nLABEL: firesafe " + ID + "\nSTART TIMELINE: 1\n"
                + "STOP TIME: 2026-12-06 10:00:02 UTC\nSTOP TIMELINE: 1\n").getBytes());
    }

    private WalInventory inventory() throws IOException {
        return WalInventory.read(WalArchive.forReading(store, "db", KeyRing.of(key)), Set.of(ID));
    }

    @Test
    void aMissingSegmentIsAGapWithItsLsnRange() throws IOException {
        setUp(1, 10);
        WalInventory inv = inventory();
        assertEquals(MB, inv.segmentSize());
        assertEquals(1, inv.bases().size());
        WalInventory.Base base = inv.bases().get(0);
        assertEquals(Lsn.parse("0/200028"), base.history().start());
        assertEquals(List.of(), inv.gaps(base, 1, null));
        assertEquals(Optional.of(Lsn.parse("0/B00000")), inv.archivedEnd(1));

        Files.delete(tmp.resolve("t/db/wal/00000001/000000010000000000000005"));
        Files.delete(tmp.resolve("t/db/wal/00000001/000000010000000000000006"));
        List<WalInventory.Gap> gaps = inventory().gaps(base, 1, null);
        assertEquals(1, gaps.size());
        assertEquals("timeline 1: 0/500000 to 0/700000", gaps.get(0).toString());
        assertEquals(List.of(), inventory().gaps(base, 1, Lsn.parse("0/480000")), "a target before the gap");
        assertEquals("timeline 1: 0/B00000 to 0/D00000", inventory().gaps(base, 1, Lsn.parse("0/C00010"))
                .get(1).toString(), "beyond the archive's end is missing too");
    }

    @Test
    void aLaterTimelineIsFollowedFromItsSwitchPoint() throws IOException {
        setUp(1, 8);
        push("00000002.history", "1\t0/6000A0\tbefore transaction 1234\n".getBytes());
        for (long n = 6; n <= 9; n++) {
            segment(2, n);
        }
        WalInventory inv = inventory();
        assertEquals(2, inv.newestTimeline());
        WalInventory.Base base = inv.bases().get(0);
        assertEquals(List.of(), inv.gaps(base, 2, null));
        Files.delete(tmp.resolve("t/db/wal/00000002/000000020000000000000006"));
        assertEquals(List.of(), inventory().gaps(base, 2, null),
                "the segment holding the switch point: the old timeline's copy serves up to it");
        Files.delete(tmp.resolve("t/db/wal/00000002/000000020000000000000007"));
        assertEquals("timeline 2: 0/700000 to 0/800000", inventory().gaps(base, 2, null).get(0).toString());
        Files.delete(tmp.resolve("t/db/wal/00000001/000000010000000000000007"));
        assertEquals(1, inventory().gaps(base, 2, null).size(), "timeline 1 after the switch is not needed");
    }

    @Test
    void retentionDeletesOnlyWalOlderThanTheOldestKeptBaseBackup() throws IOException {
        setUp(1, 6);
        push("00000002.history", "1\t0/6000A0\tx\n".getBytes());
        Files.createDirectories(tmp.resolve("t/db"));
        Files.writeString(tmp.resolve("t/db/" + ID + ".firesafe"), "a listed backup");
        Optional<WalRetention.Outcome> none = WalRetention.prune(store, "db", Set.of(), Optional.of(KeyRing.of(key)),
                false);
        assertEquals(0, none.orElseThrow().deleted(), "no kept base backup: nothing deleted");
        Optional<WalRetention.Outcome> writeOnly = WalRetention.prune(store, "db", Set.of(ID), Optional.empty(),
                false);
        assertEquals(0, writeOnly.orElseThrow().deleted(), "no reading key: nothing deleted");

        WalRetention.Outcome dry = WalRetention.prune(store, "db", Set.of(ID), Optional.of(KeyRing.of(key)), true)
                .orElseThrow();
        assertEquals(1, dry.deleted());
        assertTrue(Files.exists(tmp.resolve("t/db/wal/00000001/000000010000000000000001")));
        WalRetention.Outcome done = WalRetention.prune(store, "db", Set.of(ID), Optional.of(KeyRing.of(key)), false)
                .orElseThrow();
        assertEquals(1, done.deleted(), done.note());
        assertTrue(!Files.exists(tmp.resolve("t/db/wal/00000001/000000010000000000000001")));
        assertTrue(Files.exists(tmp.resolve("t/db/wal/00000001/000000010000000000000002")), "the base's own start");
        assertTrue(Files.exists(tmp.resolve("t/db/wal/00000002/00000002.history")));
        assertEquals(List.of(), inventory().gaps(inventory().bases().get(0), 1, null));
    }
}
