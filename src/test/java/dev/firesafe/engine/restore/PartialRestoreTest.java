package dev.firesafe.engine.restore;

import dev.firesafe.core.ExitCode;
import dev.firesafe.core.FiresafeException;
import dev.firesafe.archive.Compression;
import dev.firesafe.engine.backup.BackupResult;
import dev.firesafe.core.Progress;
import dev.firesafe.crypto.MasterKey;
import dev.firesafe.plan.Plan;
import dev.firesafe.plan.Retention;
import dev.firesafe.plan.SourceSpec;
import dev.firesafe.testing.Fixtures;
import dev.firesafe.testing.Trees;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** restore --include: only what the patterns select is written, as a full restore would write it. */
class PartialRestoreTest {

    @TempDir
    Path tmp;

    private final MasterKey key = MasterKey.generate(65536);
    private Path source;
    private Path target;
    private BackupResult backup;

    @BeforeEach
    void backUpEveryKind() throws IOException {
        source = Trees.everyKind(tmp.resolve("tree"));
        target = tmp.resolve("target");
        backup = Fixtures.backupService(key, tmp).run(new Plan("partial", List.of(SourceSpec.of(source.toString())),
                List.of(target.toString()), Compression.ZSTD, Retention.KEEP_ALL), Progress.NONE);
        assertTrue(backup.ok(), backup.toString());
    }

    private RestoreResult restore(Path out, String... include) {
        return Fixtures.restoreService(key, tmp).restore(target.toString(), "latest", null, out,
                new RestoreOptions(false, List.of(include), false), Progress.NONE);
    }

    /** The entries of a full description of {@code root} whose path starts with one of {@code prefixes}. */
    private static Map<String, String> only(Map<String, String> tree, String... prefixes) {
        Map<String, String> kept = new TreeMap<>();
        tree.forEach((path, what) -> {
            if (Stream.of(prefixes).anyMatch(path::startsWith)) {
                kept.put(path, what);
            }
        });
        return kept;
    }

    /**
     * The runbook's database restore (issue #19): {@code --include postgres}, a pattern without '/', matches a
     * name at any depth and brought back an application's own {@code postgres} folder too; {@code 'postgres/**'}
     * is the dumps' folder alone.
     */
    @Test
    void postgresSlashStarStarIsTheDumpsFolderAloneWhilePostgresMatchesAtAnyDepth() throws IOException {
        Path app = tmp.resolve("app");
        Trees.write(app.resolve("postgres/migration.sql"), "ALTER TABLE x;\n".getBytes(), "rw-r--r--");
        Path dumps = tmp.resolve("dumps-target");
        BackupResult b = Fixtures.backupService(key, tmp).run(new Plan("db", List.of(SourceSpec.of(app.toString())),
                List.of(dumps.toString()), Compression.ZSTD, Retention.KEEP_ALL, List.of(
                new dev.firesafe.plan.CommandSource("postgres/db_5432/all.sql", "echo 'CREATE TABLE t();'",
                        java.time.Duration.ofMinutes(1), null)), List.of(), dev.firesafe.plan.Hooks.NONE),
                Progress.NONE);
        assertTrue(b.ok(), b.toString());
        RestoreService restores = Fixtures.restoreService(key, tmp);

        Path loose = tmp.resolve("loose");
        restores.restore(dumps.toString(), "latest", "db", loose, new RestoreOptions(false, List.of("postgres"),
                false), Progress.NONE);
        assertTrue(Files.exists(loose.resolve("app/postgres/migration.sql")), "the trap the README fell into");

        Path exact = tmp.resolve("exact");
        RestoreResult r = restores.restore(dumps.toString(), "latest", "db", exact, new RestoreOptions(false,
                List.of("postgres/**"), false), Progress.NONE);
        assertEquals(1, r.restoredFiles(), r.toString());
        assertEquals("CREATE TABLE t();\n", Files.readString(exact.resolve("postgres/db_5432/all.sql")));
        assertFalse(Files.exists(exact.resolve("app")), "nothing of the application's folder");
    }

    @Test
    void aFolderComesWithEverythingInItAndItsParentsAsRecorded() throws IOException {
        Path out = tmp.resolve("out");
        RestoreResult r = restore(out, "tree/sub");
        assertEquals(backup.files(), r.files(), "every file of the backup was read and checked");
        assertEquals(3, r.restoredFiles(), "deeper/binary.bin, script.sh and read-only.txt (and the link link-up)");

        Map<String, String> full = Trees.describe(source);
        assertEquals(only(full, "sub"), Trees.describe(out.resolve("tree")), "sub/ whole, byte for byte");
        assertEquals(Files.getPosixFilePermissions(source), Files.getPosixFilePermissions(out.resolve("tree")),
                "the folder above keeps its recorded mode, not the owner-only one a bare folder gets");
        assertEquals(Files.getLastModifiedTime(source).toMillis() / 1000,
                Files.getLastModifiedTime(out.resolve("tree")).toMillis() / 1000, "and its recorded time");
        try (Stream<Path> top = Files.list(out)) {
            assertEquals(List.of(out.resolve("tree")), top.toList(), "no note: the restore finished");
        }
    }

    @Test
    void aNameOnlyPatternMatchesAtAnyDepth() throws IOException {
        Path out = tmp.resolve("out");
        RestoreResult r = restore(out, "*.sh", "tree/hello.txt", "tree/link-to-hello");
        assertEquals(2, r.restoredFiles());
        Map<String, String> restored = Trees.describe(out.resolve("tree"));
        assertEquals(List.of("hello.txt", "link-to-hello", "sub", "sub/script.sh"), List.copyOf(restored.keySet()));
        assertEquals(only(Trees.describe(source), "hello.txt", "link-to-hello", "sub/script.sh"),
                only(restored, "hello.txt", "link-to-hello", "sub/script.sh"));
    }

    @Test
    void aPatternThatMatchesNothingIsAnErrorNotAnEmptySuccess() throws IOException {
        Path out = tmp.resolve("out");
        FiresafeException e = assertThrows(FiresafeException.class, () -> restore(out, "data/vault/**"));
        assertEquals(ExitCode.USAGE, e.exitCode(), e.getMessage());
        assertTrue(e.getMessage().contains("nothing in the backup matches --include data/vault/**")
                && e.getMessage().contains("e.g. 'tree/"), e.getMessage());
        // issue #19: it left an empty --to folder behind; the folders the restore made go with it
        assertFalse(Files.exists(out), "nothing written, no note, no folder");
        Path deeper = tmp.resolve("a/b/c");
        assertThrows(FiresafeException.class, () -> restore(deeper, "data/vault/**"));
        assertFalse(Files.exists(tmp.resolve("a")), "not the folders above it the restore made either");
    }

    /** A folder that was there before the restore is the user's: it stays, whatever the restore did. */
    @Test
    void aFailedRestoreKeepsAFolderThatExistedBefore() throws IOException {
        Path out = Files.createDirectories(tmp.resolve("mine/out"));
        assertThrows(FiresafeException.class, () -> restore(out, "data/vault/**"));
        assertTrue(Files.isDirectory(out));
        try (Stream<Path> left = Files.list(out)) {
            assertEquals(List.of(), left.toList(), "nothing written, no note");
        }
        Path under = tmp.resolve("mine/new");
        assertThrows(FiresafeException.class, () -> restore(under, "data/vault/**"));
        assertFalse(Files.exists(under));
        assertTrue(Files.isDirectory(tmp.resolve("mine")), "the existing parent stays");
    }

    @Test
    void aMalformedPatternIsAUsageErrorBeforeTheDestinationIsTouched() {
        Path out = tmp.resolve("out");
        FiresafeException e = assertThrows(FiresafeException.class, () -> restore(out, "tree/[abc"));
        assertEquals(ExitCode.USAGE, e.exitCode(), e.getMessage());
        assertTrue(e.getMessage().contains("tree/[abc"), e.getMessage());
        assertFalse(Files.exists(out), "no folder made, no note left in it");
    }

    @Test
    void filesLeftOutAreStillChecked() throws IOException {
        Path file;
        try (Stream<Path> files = Files.list(target.resolve("partial"))) {
            file = files.filter(f -> f.toString().endsWith(".firesafe")).findFirst().orElseThrow();
        }
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            long at = f.length() * 3 / 4; // far from hello.txt, which is all that is asked for
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 1);
        }
        Path out = tmp.resolve("out");
        FiresafeException e = assertThrows(FiresafeException.class, () -> restore(out, "tree/hello.txt"));
        assertEquals(ExitCode.INTEGRITY, e.exitCode(), e.getMessage());
        assertFalse(Files.exists(out.resolve("tree/sub")), "only what was asked for was written");
    }
}
