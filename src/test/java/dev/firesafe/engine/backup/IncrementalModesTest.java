package dev.firesafe.engine.backup;

import dev.firesafe.app.Services;
import dev.firesafe.archive.Compression;
import dev.firesafe.core.Progress;
import dev.firesafe.crypto.MasterKey;
import dev.firesafe.crypto.RecoveryKey;
import dev.firesafe.plan.Plan;
import dev.firesafe.plan.Retention;
import dev.firesafe.plan.SourceSpec;
import dev.firesafe.testing.Fixtures;
import dev.firesafe.testing.Trees;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue #20 point 7: incremental backups in every mode: write-only, a lost cache, two stores, one down. */
class IncrementalModesTest {

    @TempDir
    Path tmp;

    private Path source;
    private final byte[] big = new byte[3 << 20];

    @BeforeEach
    void tree() throws IOException {
        source = Files.createDirectories(tmp.resolve("data"));
        new Random(11).nextBytes(big);
        Trees.write(source.resolve("big.bin"), big, "rw-r--r--");
        Trees.write(source.resolve("small.txt"), "small".getBytes(), "rw-r--r--");
    }

    private Services host(Map<String, String> keys) {
        Map<String, String> values = new HashMap<>(keys);
        values.put("firesafe.default-key-file", tmp.resolve("no-key").toString());
        values.put("firesafe.content-key-file", tmp.resolve("content.key").toString());
        values.put("firesafe.cache-dir", tmp.resolve("cache").toString());
        return Fixtures.services(values);
    }

    private Plan plan(Path... targets) {
        return new Plan("m", List.of(SourceSpec.of(source.toString())), Stream.of(targets).map(Path::toString)
                .toList(), Compression.ZSTD, Retention.KEEP_ALL);
    }

    private void assertRestores(Services reader, Path target, String id) throws IOException {
        Path out = tmp.resolve("out-" + id + "-" + target.getFileName());
        reader.restores().restore(target.toString(), id, "m", out, false, Progress.NONE);
        assertEquals(Trees.describe(source), Trees.describe(out.resolve("data")));
    }

    @Test
    void aWriteOnlyHostDeduplicatesAgainstItsCacheAndNeverDecrypts() throws IOException {
        RecoveryKey recovery = RecoveryKey.generate();
        Services writeOnly = host(Map.of("firesafe.public-key", recovery.publicKey().toText()));
        Path target = tmp.resolve("t");
        BackupResult first = writeOnly.backups().run(plan(target), Progress.NONE);
        BackupResult second = writeOnly.backups().run(plan(target), Progress.NONE);
        assertTrue(first.ok() && second.ok());
        assertEquals(0, second.bytesNew(), "the host's cache knew every chunk");
        assertFalse(second.full());
        Services reader = host(Map.of("firesafe.master-key", recovery.toEscrowText()));
        assertRestores(reader, target, first.id());
        assertRestores(reader, target, second.id());
    }

    @Test
    void aLostCacheCostsAReadOfTheStoreOrAFullBackupNeverAWrongOne() throws IOException {
        MasterKey master = MasterKey.generate(65536);
        Services services = host(Map.of("firesafe.master-key", master.toEscrowText()));
        Path target = tmp.resolve("t");
        services.backups().run(plan(target), Progress.NONE);
        deleteTree(tmp.resolve("cache"));
        Trees.write(source.resolve("small.txt"), "changed".getBytes(), "rw-r--r--");
        BackupResult afterLoss = services.backups().run(plan(target), Progress.NONE);
        assertTrue(afterLoss.bytesNew() < 1024, "the master key read what the store holds: " + afterLoss.bytesNew());
        assertRestores(services, target, afterLoss.id());

        RecoveryKey recovery = RecoveryKey.generate();
        Services writeOnly = host(Map.of("firesafe.public-key", recovery.publicKey().toText()));
        Path other = tmp.resolve("w");
        writeOnly.backups().run(plan(other), Progress.NONE);
        deleteTree(tmp.resolve("cache"));
        BackupResult blind = writeOnly.backups().run(plan(other), Progress.NONE);
        assertTrue(blind.bytesNew() >= big.length, "write-only without its cache stores all again");
        assertRestores(host(Map.of("firesafe.master-key", recovery.toEscrowText())), other, blind.id());
    }

    @Test
    void aStoreThatWasDownGetsWhatItLacksAtTheNextBackup() throws IOException {
        MasterKey master = MasterKey.generate(65536);
        Services services = host(Map.of("firesafe.master-key", master.toEscrowText()));
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        BackupResult onlyA = services.backups().run(plan(a), Progress.NONE);
        assertTrue(onlyA.ok());
        BackupResult both = services.backups().run(plan(a, b), Progress.NONE);
        assertTrue(both.ok(), both.toString());
        assertTrue(both.bytesNew() >= big.length, "b had nothing: everything is stored (once, for both)");
        assertRestores(services, a, both.id());
        assertRestores(services, b, both.id());
        BackupResult next = services.backups().run(plan(a, b), Progress.NONE);
        assertEquals(0, next.bytesNew(), "now both hold everything");
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
