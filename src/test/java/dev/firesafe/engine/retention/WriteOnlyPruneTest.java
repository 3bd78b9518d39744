package dev.firesafe.engine.retention;

import dev.firesafe.app.Services;
import dev.firesafe.archive.Compression;
import dev.firesafe.core.Progress;
import dev.firesafe.crypto.BackupHeader;
import dev.firesafe.crypto.RecoveryKey;
import dev.firesafe.engine.backup.BackupResult;
import dev.firesafe.plan.Plan;
import dev.firesafe.plan.Retention;
import dev.firesafe.plan.SourceSpec;
import dev.firesafe.repository.BackupCatalog;
import dev.firesafe.store.local.LocalStore;
import dev.firesafe.testing.Fixtures;
import dev.firesafe.testing.TestClock;
import dev.firesafe.testing.Trees;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static dev.firesafe.engine.retention.ChunkedPruneTest.HOUR;
import static dev.firesafe.engine.retention.ChunkedPruneTest.PAST_GRACE;
import static dev.firesafe.engine.retention.ChunkedPruneTest.names;
import static dev.firesafe.engine.retention.ChunkedPruneTest.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #20: a write-only host cannot read its backups, so its prune only marks removed backups; a prune where the
 * recovery key is reclaims their space, and what it rewrites stays sealed for the recovery key (the host's
 * backups deduplicate with its local cache, so they refer to one another like any others).
 */
class WriteOnlyPruneTest {

    @TempDir
    Path tmp;

    private final RecoveryKey recovery = RecoveryKey.generate();
    private final TestClock clock = new TestClock("2026-03-01T00:00:00Z");

    private Services host() {
        return Fixtures.services(Fixtures.config(Map.of("firesafe.public-key", recovery.publicKey().toText(),
                "firesafe.default-key-file", tmp.resolve("no-key").toString(),
                "firesafe.content-key-file", tmp.resolve("content.key").toString())), clock);
    }

    private Services recoveryMachine() {
        return Fixtures.services(Fixtures.config(Map.of("firesafe.master-key", recovery.toEscrowText(),
                "firesafe.default-key-file", tmp.resolve("no-key").toString())), clock);
    }

    @Test
    void theHostOnlyMarksAndAPruneWithTheRecoveryKeyReclaimsSealingWhatItRewritesForIt() throws IOException {
        Path source = Files.createDirectories(tmp.resolve("data"));
        Path target = tmp.resolve("target");
        Plan keepOne = new Plan("p", List.of(SourceSpec.of(source.toString())), List.of(target.toString()),
                Compression.ZSTD, new Retention(1, null, null, null, null, null));
        String[] ids = new String[3];
        for (int b = 0; b < 3; b++) {
            // the host deduplicates with its cache: backup 0 holds f0-f3, 1 new f0 f1, 2 new f0 f1 f2
            for (int f = 0; f < (b == 0 ? 4 : b + 1); f++) {
                Trees.write(source.resolve("f" + f), random(300 << 10, 10 * b + f), "rw-r--r--");
            }
            clock.advance(HOUR);
            BackupResult r = host().backups().run(keepOne, Progress.NONE);
            assertTrue(r.ok(), r.toString());
            ids[b] = r.id();
        }
        clock.advance(PAST_GRACE);
        LocalStore store = new LocalStore(target);
        PruneService.Report onHost = host().retention().prune(store, keepOne, false);
        assertTrue(onHost.ok(), onHost.error());
        assertEquals(List.of(), onHost.reclaimed(), "no key: nothing is read, so nothing is reclaimed");
        assertTrue(onHost.heldBytes() > 1 << 20, onHost.toString());
        assertTrue(onHost.notes().stream().anyMatch(n -> n.contains("write-only")), onHost.notes().toString());
        assertEquals(new TreeSet<>(List.of(ids[0] + ".firesafe", ids[0] + ".removed", ids[1] + ".firesafe",
                ids[1] + ".removed", ids[2] + ".firesafe")), names(target), "only marked");

        PruneService.Report withKey = recoveryMachine().retention().prune(store, keepOne, false);
        assertTrue(withKey.ok(), withKey.error());
        assertEquals(new TreeSet<>(List.of(ids[0] + ".g1.firesafe", ids[0] + ".removed", ids[2] + ".firesafe")),
                names(target), "backup 0's f3 is all the kept backup needs of it: rewritten; backup 1's is dead");
        BackupCatalog.Ref gen = BackupCatalog.listing(store, "p").generations().get(0).object();
        BackupHeader header = BackupCatalog.header(store, gen);
        assertEquals(BackupHeader.KEY_MODE_RECIPIENT, header.keyMode(), "sealed for the recovery key, as before");
        assertEquals(recovery.publicKey().id(), Integer.parseUnsignedInt(header.keyId(), 16));
        Path out = tmp.resolve("out");
        recoveryMachine().restores().restore(target.toString(), "latest", "p", out, false, Progress.NONE);
        assertEquals(Trees.describe(source), Trees.describe(out.resolve("data")));
    }
}
