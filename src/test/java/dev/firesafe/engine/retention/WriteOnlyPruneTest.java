package dev.firesafe.engine.retention;

import dev.firesafe.app.Services;
import dev.firesafe.archive.Compression;
import dev.firesafe.core.Progress;
import dev.firesafe.crypto.BackupHeader;
import dev.firesafe.crypto.EncryptionKey;
import dev.firesafe.crypto.KeyRing;
import dev.firesafe.crypto.RecoveryKey;
import dev.firesafe.engine.backup.BackupResult;
import dev.firesafe.plan.Plan;
import dev.firesafe.plan.Retention;
import dev.firesafe.plan.SourceSpec;
import dev.firesafe.repository.BackupCatalog;
import dev.firesafe.repository.ChunkTable;
import dev.firesafe.repository.ChunkedObjects;
import dev.firesafe.store.local.LocalStore;
import dev.firesafe.testing.Fixtures;
import dev.firesafe.testing.TestClock;
import dev.firesafe.testing.Trees;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
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
 * recovery key is reclaims their space, and what it rewrites stays sealed for the recovery key.
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
    void theHostOnlyMarksAndAPruneWithTheRecoveryKeyReclaims() throws IOException {
        Path source = Files.createDirectories(tmp.resolve("data"));
        Path target = tmp.resolve("target");
        Plan keepOne = new Plan("p", List.of(SourceSpec.of(source.toString())), List.of(target.toString()),
                Compression.ZSTD, new Retention(1, null, null, null, null, null));
        String[] ids = new String[3];
        for (int i = 0; i < 3; i++) {
            Trees.write(source.resolve("f" + i), random(300 << 10, i), "rw-r--r--");
            clock.advance(HOUR);
            BackupResult r = host().backups().run(keepOne, Progress.NONE);
            assertTrue(r.ok(), r.toString());
            ids[i] = r.id();
        }
        clock.advance(PAST_GRACE);
        LocalStore store = new LocalStore(target);
        PruneService.Report onHost = host().retention().prune(store, keepOne, false);
        assertTrue(onHost.ok(), onHost.error());
        assertEquals(List.of(), onHost.reclaimed(), "no key: nothing is read, so nothing is reclaimed");
        assertTrue(onHost.heldBytes() > 600 << 10, onHost.toString());
        assertTrue(onHost.notes().stream().anyMatch(n -> n.contains("write-only")), onHost.notes().toString());
        assertEquals(new TreeSet<>(List.of(ids[0] + ".firesafe", ids[0] + ".removed", ids[1] + ".firesafe",
                ids[1] + ".removed", ids[2] + ".firesafe")), names(target), "only marked");

        PruneService.Report withKey = recoveryMachine().retention().prune(store, keepOne, false);
        assertTrue(withKey.ok(), withKey.error());
        assertEquals(new TreeSet<>(List.of(ids[2] + ".firesafe")), names(target),
                "write-only backups hold all they need (no deduplication on the host): the others go");
        Path out = tmp.resolve("out");
        recoveryMachine().restores().restore(target.toString(), "latest", "p", out, false, Progress.NONE);
        assertEquals(Trees.describe(source), Trees.describe(out.resolve("data")));
    }

    @Test
    void aRewriteOfAWriteOnlyObjectIsSealedForTheRecoveryKey() throws IOException {
        Path source = Files.createDirectories(tmp.resolve("data"));
        Path target = tmp.resolve("target");
        for (int i = 0; i < 4; i++) {
            Trees.write(source.resolve("f" + i), random(300 << 10, i), "rw-r--r--");
        }
        Plan plan = new Plan("p", List.of(SourceSpec.of(source.toString())), List.of(target.toString()),
                Compression.ZSTD, Retention.KEEP_ALL);
        clock.advance(HOUR);
        String id = host().backups().run(plan, Progress.NONE).id();
        LocalStore store = new LocalStore(target);
        BackupCatalog.Ref ref = BackupCatalog.list(store, "p").get(0);
        KeyRing keys = KeyRing.parse(recovery.toEscrowText(), "test");
        BackupHeader header = BackupCatalog.header(store, ref);
        EncryptionKey sealer = keys.sealerFor(header).orElseThrow();
        ChunkTable table;
        try (ChunkedObjects.Opened o = ChunkedObjects.open(store, ref, keys)) {
            table = ChunkTable.of(o.reader(), ref.id());
        }
        BitSet half = new BitSet();
        half.set(0, table.size() / 2);
        new Rewriter(store, "p", keys, 3, clock).write(id, 1, List.of(ref),
                List.of(new Rewriter.Member(table, half)), sealer, header.compression());

        BackupCatalog.Ref gen = BackupCatalog.listing(store, "p").generations().get(0).object();
        assertEquals(BackupHeader.KEY_MODE_RECIPIENT, BackupCatalog.header(store, gen).keyMode());
        try (ChunkedObjects.Opened o = ChunkedObjects.open(store, gen, keys)) {
            ChunkTable copied = ChunkTable.of(o.reader(), gen.id());
            assertEquals(table.size() / 2, copied.size());
            for (int i = 0; i < copied.size(); i++) {
                int was = table.find(copied.id(i));
                assertTrue(was >= 0 && was < table.size() / 2);
                o.reader().block(copied.location(i).blockOffset(), copied.location(i).blockLength());
            }
        }
    }
}
