package dev.firesafe.engine.wal;

import dev.firesafe.app.Services;
import dev.firesafe.core.ExitCode;
import dev.firesafe.core.FiresafeException;
import dev.firesafe.crypto.MasterKey;
import dev.firesafe.repository.wal.WalArchive;
import dev.firesafe.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** wal-push to every target of a plan; wal-fetch with the next segments prefetched into a spool. */
class WalServiceTest {

    @TempDir
    Path tmp;

    private final MasterKey key = MasterKey.generate(64 * 1024);

    private static String seg(int n) {
        return String.format("00000001000000000000%04X", n);
    }

    @Test
    void pushGoesToEveryTargetAndATargetThatFailsDoesNotStopTheOthers() throws IOException {
        Services services = Fixtures.services(Fixtures.configWithKey(key, tmp));
        Path file = tmp.resolve(seg(1));
        Files.write(file, new byte[4096]);
        Path blocked = tmp.resolve("blocked");
        Files.writeString(blocked, "a file where a folder should be");
        List<WalService.PushOutcome> out = services.wal().push("db",
                List.of(blocked.toString(), tmp.resolve("b").toString()), seg(1), file);
        assertFalse(out.get(0).ok());
        assertEquals(ExitCode.TARGET, out.get(0).error().exitCode(), out.get(0).error().getMessage());
        assertEquals(WalArchive.Pushed.STORED, out.get(1).pushed());
        assertEquals(WalArchive.Pushed.ALREADY_STORED, services.wal().push("db", List.of(tmp.resolve("b")
                .toString()), seg(1), file).get(0).pushed());
    }

    @Test
    void fetchPrefetchesTheNextSegmentsAndServesThemFromTheSpool() throws IOException {
        Services services = Fixtures.services(Fixtures.configWithKey(key, tmp));
        String target = tmp.resolve("t").toString();
        byte[][] content = new byte[6][];
        for (int i = 1; i <= 5; i++) {
            content[i] = new byte[8192];
            new Random(i).nextBytes(content[i]);
            Path f = tmp.resolve(seg(i));
            Files.write(f, content[i]);
            assertTrue(services.wal().push("db", List.of(target), seg(i), f).get(0).ok());
        }
        Path spool = tmp.resolve("spool");
        Path dest = tmp.resolve("pg_wal-RECOVERYXLOG");
        assertEquals(WalArchive.Fetched.FETCHED, services.wal().fetch("db", target, seg(1), dest, spool, 3));
        assertArrayEquals(content[1], Files.readAllBytes(dest));
        assertEquals(List.of(seg(2), seg(3), seg(4)), Files.list(spool).map(p -> p.getFileName().toString())
                .sorted().toList());

        // the archive is gone: segments 2-4 still come, from the spool
        Path gone = tmp.resolve("t-gone");
        Files.move(Path.of(target), gone);
        assertEquals(WalArchive.Fetched.FETCHED, services.wal().fetch("db", target, seg(2), dest, spool, 3));
        assertArrayEquals(content[2], Files.readAllBytes(dest));
        assertFalse(Files.exists(spool.resolve(seg(2))));
        Path notAFolder = tmp.resolve("not-a-folder");
        Files.writeString(notAFolder, "x");
        FiresafeException e = org.junit.jupiter.api.Assertions.assertThrows(FiresafeException.class,
                () -> services.wal().fetch("db", notAFolder.toString(), seg(5), dest, spool, 3));
        assertEquals(ExitCode.TARGET, e.exitCode(), e.getMessage());

        Files.move(gone, Path.of(target));
        assertEquals(WalArchive.Fetched.ABSENT, services.wal().fetch("db", target, seg(9), dest, spool, 3));
        assertEquals(WalArchive.Fetched.ABSENT, services.wal().fetch("db", target, "00000002.history", dest, spool,
                3));
    }
}
