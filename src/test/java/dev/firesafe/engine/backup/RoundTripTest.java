package dev.firesafe.engine.backup;

import dev.firesafe.core.Progress;
import dev.firesafe.repository.BackupCatalog;
import dev.firesafe.core.ExitCode;
import dev.firesafe.core.FiresafeException;
import dev.firesafe.archive.Compression;
import dev.firesafe.crypto.MasterKey;
import dev.firesafe.plan.Plan;
import dev.firesafe.plan.Retention;
import dev.firesafe.plan.SourceSpec;
import dev.firesafe.engine.restore.RestoreResult;
import dev.firesafe.engine.restore.RestoreService;
import dev.firesafe.store.local.LocalStore;
import dev.firesafe.testing.Fixtures;
import dev.firesafe.testing.Trees;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RoundTripTest {

    @TempDir
    Path tmp;

    private final MasterKey key = MasterKey.generate(65536);

    private Plan plan(Path source, Path target, Compression compression) {
        return new Plan("roundtrip", List.of(SourceSpec.of(source.toString())), List.of(target.toUri().toString()),
                compression, Retention.KEEP_ALL);
    }

    @ParameterizedTest
    @EnumSource(Compression.class)
    void everyEntryKindComesBackByteForByte(Compression compression) throws IOException {
        Path source = Trees.everyKind(tmp.resolve("tree"));
        Path target = tmp.resolve("target");
        BackupResult backup = Fixtures.backupService(key, tmp).run(plan(source, target, compression), Progress.NONE);
        assertTrue(backup.ok(), backup.toString());
        assertEquals(Trees.regularFiles(source), backup.files());
        assertEquals(compression.id, backup.compression());

        RestoreService restore = Fixtures.restoreService(key, tmp);
        RestoreResult verified = restore.verify(target.toString(), "latest", null, Progress.NONE);
        assertEquals(backup.id(), verified.id());
        assertEquals(backup.files(), verified.files());

        Path out = tmp.resolve("out");
        RestoreResult restored = restore.restore(target.toString(), backup.id(), null, out, false, Progress.NONE);
        assertEquals(backup.bytesIn(), restored.bytes());
        assertEquals(Trees.describe(source), Trees.describe(out.resolve("tree")));
        try (Stream<Path> top = Files.list(out)) {
            assertEquals(List.of(out.resolve("tree")), top.toList(), "a finished restore leaves no note behind");
        }
    }

    @Test
    void severalSourcesGetDistinctFoldersAndTheTargetInsideASourceIsSkipped() throws IOException {
        Path a = Files.createDirectories(tmp.resolve("one/data"));
        Path b = Files.createDirectories(tmp.resolve("two/data"));
        Trees.write(a.resolve("x"), "a".getBytes(), "rw-r--r--");
        Trees.write(b.resolve("x"), "b".getBytes(), "rw-r--r--");
        Path target = a.resolve("backups");
        Plan plan = new Plan("multi", List.of(SourceSpec.of(a.toString()), SourceSpec.of(b.toString())),
                List.of(target.toString()), Compression.ZSTD, Retention.KEEP_ALL);
        BackupResult first = Fixtures.backupService(key, tmp).run(plan, Progress.NONE);
        BackupResult second = Fixtures.backupService(key, tmp).run(plan, Progress.NONE);
        assertEquals(2, second.files(), "the first backup file inside the source must not be archived");
        assertTrue(second.warnings().stream().anyMatch(w -> w.path().equals("data/backups")));

        Path out = tmp.resolve("out");
        Fixtures.restoreService(key, tmp).restore(target.toString(), first.id(), null, out, false, Progress.NONE);
        assertEquals("a", Files.readString(out.resolve("data/x")));
        assertEquals("b", Files.readString(out.resolve("data-2/x")));
    }

    @Test
    void includeAndExcludeGlobsSelectFiles() throws IOException {
        Path src = tmp.resolve("src");
        for (String f : List.of("keep.sql", "deep/keep.sql", "deep/skip.log", "cache/keep.sql", "top.log")) {
            Trees.write(src.resolve(f), f.getBytes(), "rw-r--r--");
        }
        Path target = tmp.resolve("t");
        Plan plan = new Plan("globs", List.of(new SourceSpec(src, List.of("*.sql"), List.of("cache/**"))),
                List.of(target.toString()), Compression.ZSTD, Retention.KEEP_ALL);
        Fixtures.backupService(key, tmp).run(plan, Progress.NONE);
        Path out = tmp.resolve("out");
        Fixtures.restoreService(key, tmp).restore(target.toString(), "latest", null, out, false, Progress.NONE);
        assertTrue(Files.exists(out.resolve("src/keep.sql")));
        assertTrue(Files.exists(out.resolve("src/deep/keep.sql")));
        assertFalse(Files.exists(out.resolve("src/deep/skip.log")));
        assertFalse(Files.exists(out.resolve("src/top.log")));
        assertFalse(Files.exists(out.resolve("src/cache")));
    }

    @Test
    void missingSourceFailsBeforeAnythingIsWritten() throws IOException {
        Path target = tmp.resolve("t");
        FiresafeException e = assertThrows(FiresafeException.class, () -> Fixtures.backupService(key, tmp)
                .run(plan(tmp.resolve("nope"), target, Compression.ZSTD), Progress.NONE));
        assertEquals(ExitCode.SOURCE, e.exitCode());
        assertTrue(e.getMessage().contains("nope") && e.getMessage().contains("does not exist"), e.getMessage());
        assertFalse(Files.exists(target), "no target folder, no partial file");
    }

    @Test
    void aLongNameThatIsNotUtf8IsRestoredWithItsExactBytes() throws IOException {
        // 240 'A' and four bad bytes: a legal 244-byte name that spelled out in full would pass the 255-byte limit
        // (found by review); it is shown shortened and restored with its own bytes.
        Path source = Files.createDirectories(tmp.resolve("tree"));
        String escaped = "A".repeat(240) + "%E9%E9%E9%E9";
        Path bad = Path.of(URI.create(source.toUri() + escaped));
        Files.writeString(bad, "long and not UTF-8");
        Files.writeString(source.resolve("zz-after.txt"), "after it");
        Path target = tmp.resolve("target");
        BackupResult backup = Fixtures.backupService(key, tmp).run(plan(source, target, Compression.ZSTD),
                Progress.NONE);
        assertEquals(ExitCode.OK, backup.exitCode(), backup.toString());
        Path out = tmp.resolve("out");
        Fixtures.restoreService(key, tmp).restore(target.toString(), "latest", null, out, false, Progress.NONE);
        try (Stream<Path> restored = Files.list(out.resolve("tree"))) {
            assertEquals(2, restored.count());
        }
        assertEquals("long and not UTF-8", Files.readString(Path.of(URI.create(out.resolve("tree").toUri()
                + escaped))));
        assertEquals("after it", Files.readString(out.resolve("tree/zz-after.txt")));
        assertTrue(backup.warnings().get(0).path().matches("tree/A{240}(\uFFFDE9)*~[0-9A-F]{8}"),
                backup.warnings().toString());
    }

    @Test
    void restoreRefusesANonEmptyDestinationUnlessForced() throws IOException {
        Path source = Trees.everyKind(tmp.resolve("tree"));
        Path target = tmp.resolve("t");
        Fixtures.backupService(key, tmp).run(plan(source, target, Compression.ZSTD), Progress.NONE);
        Path out = Files.createDirectories(tmp.resolve("out"));
        Trees.write(out.resolve("tree/hello.txt"), "local edit".getBytes(), "rw-r--r--");
        RestoreService restore = Fixtures.restoreService(key, tmp);
        FiresafeException e = assertThrows(FiresafeException.class,
                () -> restore.restore(target.toString(), "latest", null, out, false, Progress.NONE));
        assertEquals(ExitCode.USAGE, e.exitCode());
        assertTrue(e.getMessage().contains("--force"), e.getMessage());
        assertEquals("local edit", Files.readString(out.resolve("tree/hello.txt")), "nothing was touched");

        Files.writeString(out.resolve("FIRESAFE-RESTORE-INCOMPLETE.txt"), "left by an earlier, killed restore");
        restore.restore(target.toString(), "latest", null, out, true, Progress.NONE);
        assertEquals(Trees.describe(source), Trees.describe(out.resolve("tree")));
        assertFalse(Files.exists(out.resolve("FIRESAFE-RESTORE-INCOMPLETE.txt")), "the finished restore removed it");
    }

    @Test
    void failedTargetKeepsNoPartialAndOtherTargetStillGetsTheBackup() throws IOException {
        Path source = Trees.everyKind(tmp.resolve("tree"));
        Path good = tmp.resolve("good");
        Path blocked = Files.createFile(tmp.resolve("blocked")); // a file where a folder should be
        Plan plan = new Plan("two", List.of(SourceSpec.of(source.toString())),
                List.of(good.toString(), blocked.toString()), Compression.ZSTD, Retention.KEEP_ALL);
        BackupResult r = Fixtures.backupService(key, tmp).run(plan, Progress.NONE);
        assertFalse(r.ok());
        assertTrue(r.targets().get(0).ok());
        assertFalse(r.targets().get(1).ok());
        assertEquals(1, BackupCatalog.list(new LocalStore(good), null).size());
        assertEquals(ExitCode.TARGET, r.exitCode());
    }
}
