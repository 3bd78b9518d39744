package dev.firesafe.plan;

import dev.firesafe.core.FiresafeException;
import dev.firesafe.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code wal:} section of a function file: defaults, every setting read, and the mistakes it refuses. */
class WalSectionTest {

    @TempDir
    Path tmp;

    private FunctionDefinition load(String name, String yaml) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("functions"));
        Files.writeString(dir.resolve(name + ".yaml"), yaml);
        return Fixtures.services(Map.of("firesafe.functions-dir", dir.toString())).plans().function(name);
    }

    private String refused(String wal) {
        return assertThrows(FiresafeException.class, () -> load("bad", "plan:\n  targets: []\nwal:\n" + wal))
                .getMessage();
    }

    @Test
    void defaultsAndEverySetting() throws IOException {
        WalSpec d = load("Main-DB", "plan:\n  targets: []\nwal:\n  port: 5433\n").wal().orElseThrow();
        assertTrue(d.streams());
        assertEquals("firesafe_main_db", d.slot(), "slot names allow lower-case letters, digits and '_' only");
        assertEquals("localhost", d.server().host());
        assertEquals(5433, d.server().port());
        assertEquals(WalSpec.DEFAULT_SPOOL_LIMIT, d.spoolLimitBytes());
        assertEquals(Duration.ofSeconds(2), d.partialEvery());
        assertEquals(Duration.ofMinutes(5), d.rpo());
        assertFalse(d.synchronous());

        WalSpec all = load("db", """
                plan:
                  targets: []
                wal:
                  host: 10.0.0.5
                  user: backup
                  slot: fs_db
                  synchronous: true
                  spool: /var/lib/firesafe/wal/db
                  spool-limit: 512MB
                  partial-every: 1s
                  rpo: 30s
                """).wal().orElseThrow();
        assertEquals("fs_db", all.slot());
        assertTrue(all.synchronous());
        assertEquals(Path.of("/var/lib/firesafe/wal/db"), all.spool());
        assertEquals(512L << 20, all.spoolLimitBytes());
        assertEquals(Duration.ofSeconds(1), all.partialEvery());
        assertEquals(Duration.ofSeconds(30), all.rpo());
        assertEquals("backup", all.server().user());

        WalSpec ac = load("ac", "plan:\n  targets: []\nwal:\n  mode: archive-command\n  rpo: 2m\n").wal()
                .orElseThrow();
        assertFalse(ac.streams());
        assertTrue(load("none", "plan:\n  targets: []\n").wal().isEmpty());
    }

    @Test
    void mistakesAreRefusedNamingTheKey() {
        assertTrue(refused("  mode: push\n").contains("wal.mode 'push' is not 'stream' or 'archive-command'"));
        assertTrue(refused("  slot: Bad-Slot\n").contains("wal.slot 'Bad-Slot'"));
        assertTrue(refused("  spool-limit: lots\n").contains("is not a size like 512MB"));
        assertTrue(refused("  mode: archive-command\n  slot: s\n").contains("wal.slot applies to mode: stream only"));
        assertTrue(refused("  synchronous: maybe\n").contains("wal.synchronous must be true or false"));
        assertTrue(refused("  rpo: 0s\n").contains("wal.rpo"));
        assertTrue(refused("  slto: x\n").contains("unknown key 'slto' in wal"));
    }
}
