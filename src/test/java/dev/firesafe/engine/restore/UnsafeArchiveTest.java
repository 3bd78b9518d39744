package dev.firesafe.engine.restore;

import dev.firesafe.core.ExitCode;
import dev.firesafe.core.FiresafeException;
import dev.firesafe.archive.ArchiveWriter;
import dev.firesafe.archive.Compression;
import dev.firesafe.archive.Manifest;
import dev.firesafe.core.Progress;
import dev.firesafe.testing.CraftedBackups;
import dev.firesafe.testing.Fixtures;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Archives a Firesafe never writes, made with the project's own writer, encrypted with the right key: restore must
 * refuse them as integrity failures and never create anything outside the destination; verify must refuse them
 * too, so a scheduled verify warns before anyone restores.
 */
class UnsafeArchiveTest {

    @TempDir
    Path tmp;

    private CraftedRestore fx;

    @BeforeEach
    void setUp() throws IOException {
        fx = new CraftedRestore(tmp);
    }

    private static void assertIntegrity(FiresafeException e, String... words) {
        assertEquals(ExitCode.INTEGRITY, e.exitCode(), e.getMessage());
        for (String w : words) {
            assertTrue(e.getMessage().contains(w), "message should mention '" + w + "': " + e.getMessage());
        }
    }

    /** Everything below {@code root}, links not followed. */
    private static List<Path> everything(Path root) throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            return all.toList();
        }
    }

    private void assertOutsideUntouched() throws IOException {
        assertEquals(List.of(fx.outside), everything(fx.outside), "nothing may be created outside the destination");
        assertFalse(Files.exists(fx.dest.resolveSibling("escape.txt"), LinkOption.NOFOLLOW_LINKS));
        assertFalse(Files.exists(tmp.resolve("escape.txt"), LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void entryWithDotDotIsRefused() throws IOException {
        String id = fx.craft((w, m) -> {
            w.file("ok.txt", fx.payload, CraftedBackups.meta(6));
            w.file("../escape.txt", fx.payload, CraftedBackups.meta(6));
        });
        assertIntegrity(fx.restoreFails(id, false), "../escape.txt", "unsafe");
        assertOutsideUntouched();
        assertIntegrity(fx.verifyFails(id), "../escape.txt");
    }

    @Test
    void entryWithDotDotInTheMiddleIsRefused() throws IOException {
        String id = fx.craft((w, m) -> w.file("sub/../../escape.txt", fx.payload, CraftedBackups.meta(6)));
        assertIntegrity(fx.restoreFails(id, false), "unsafe");
        assertOutsideUntouched();
    }

    @Test
    void absoluteEntryIsRefused() throws IOException {
        // ArchiveWriter (like tar's default) strips a leading '/', so the raw tar writer makes this one.
        Path absolute = fx.outside.resolve("abs.txt");
        byte[] content = "pwned\n".getBytes(StandardCharsets.UTF_8);
        String id = CraftedBackups.write(fx.target, CraftedRestore.PLAN, fx.key, Compression.ZSTD, plain -> {
            TarArchiveOutputStream tar = new TarArchiveOutputStream(plain, StandardCharsets.UTF_8.name());
            TarArchiveEntry e = new TarArchiveEntry(absolute.toString(), TarConstants.LF_NORMAL, true);
            e.setSize(content.length);
            tar.putArchiveEntry(e);
            tar.write(content);
            tar.closeArchiveEntry();
            Manifest m = CraftedBackups.manifest(CraftedRestore.PLAN);
            m.entries.add(new Manifest.Entry(absolute.toString(), Manifest.Entry.FILE, (long) content.length,
                    "0644", Instant.now().toString(), sha256(content), null));
            byte[] json = m.toJson();
            TarArchiveEntry me = new TarArchiveEntry(Manifest.ENTRY_NAME, TarConstants.LF_NORMAL);
            me.setSize(json.length);
            tar.putArchiveEntry(me);
            tar.write(json);
            tar.closeArchiveEntry();
            tar.finish();
        });
        assertIntegrity(fx.restoreFails(id, false), absolute.toString(), "absolute");
        assertFalse(Files.exists(absolute, LinkOption.NOFOLLOW_LINKS));
        assertOutsideUntouched();
        assertIntegrity(fx.verifyFails(id), "absolute");
    }

    @Test
    void fileBehindASymlinkOfTheSameArchiveIsRefused() throws IOException {
        String id = fx.craft((w, m) -> {
            w.symlink("evil", fx.outside.toString(), CraftedBackups.meta(0));
            w.file("evil/pwned.txt", fx.payload, CraftedBackups.meta(6));
        });
        assertIntegrity(fx.restoreFails(id, false), "evil");
        assertOutsideUntouched();
        assertIntegrity(fx.verifyFails(id), "evil");
    }

    @Test
    void fileDeepBelowASymlinkBesideKnownFoldersIsRefused() throws IOException {
        // "top" is a known folder when the last entry comes, so the check may stop there only after it has
        // looked at "top/evil/deep" and "top/evil" (the link).
        String id = fx.craft((w, m) -> {
            w.file("top/ok/fine.txt", fx.payload, CraftedBackups.meta(6));
            w.symlink("top/evil", fx.outside.toString(), CraftedBackups.meta(0));
            w.file("top/evil/deep/pwned.txt", fx.payload, CraftedBackups.meta(6));
        });
        assertIntegrity(fx.restoreFails(id, false), "top/evil/deep/pwned.txt", "top/evil");
        assertOutsideUntouched();
        assertIntegrity(fx.verifyFails(id), "top/evil");
    }

    @Test
    void symlinkOverAFolderKnownOnlyAsADeepParentIsRefused() throws IOException {
        String id = fx.craft((w, m) -> {
            w.file("top/mid/deep/fine.txt", fx.payload, CraftedBackups.meta(6));
            w.symlink("top/mid", fx.outside.toString(), CraftedBackups.meta(0));
        });
        assertIntegrity(fx.restoreFails(id, false), "top/mid");
        assertOutsideUntouched();
    }

    @Test
    void exactNameBytesThatDoNotSpellTheNameAreRefused() throws IOException {
        // An entry's exact bytes (for names that are not UTF-8) must spell out as its checked name: otherwise they
        // could carry a '..' the name checks never saw.
        String id = fx.craft((w, m) -> {
            w.exactBytes("innocent.txt", "../escape.txt".getBytes(StandardCharsets.UTF_8), null);
            w.file("innocent.txt", fx.payload, CraftedBackups.meta(6));
        });
        assertIntegrity(fx.restoreFails(id, false), "innocent.txt", "do not match");
        assertOutsideUntouched();
        assertIntegrity(fx.verifyFails(id), "do not match");
    }

    @Test
    void fileBeforeASymlinkOverItsFolderIsRefused() throws IOException {
        String id = fx.craft((w, m) -> {
            w.file("evil/pwned.txt", fx.payload, CraftedBackups.meta(6));
            w.symlink("evil", fx.outside.toString(), CraftedBackups.meta(0));
        });
        assertIntegrity(fx.restoreFails(id, false), "evil");
        assertOutsideUntouched();
    }

    @Test
    void relativeSymlinkOutOfTheDestinationCannotBeWrittenThrough() throws IOException {
        String id = fx.craft((w, m) -> {
            w.symlink("a/up", "../../../outside", CraftedBackups.meta(0));
            w.file("a/up/pwned.txt", fx.payload, CraftedBackups.meta(6));
        });
        assertIntegrity(fx.restoreFails(id, false), "up");
        assertOutsideUntouched();
    }

    @Test
    void symlinkAlreadyInTheDestinationIsNotFollowedUnderForce() throws IOException {
        String id = fx.craft((w, m) -> w.file("evil/pwned.txt", fx.payload, CraftedBackups.meta(6)));
        Files.createDirectories(fx.dest);
        Files.createSymbolicLink(fx.dest.resolve("evil"), fx.outside);
        FiresafeException e = assertThrows(FiresafeException.class, () -> Fixtures.restoreService(fx.key, tmp)
                .restore(fx.target.toString(), id, CraftedRestore.PLAN, fx.dest, true, Progress.NONE));
        assertIntegrity(e, "evil", "symbolic link");
        assertOutsideUntouched();
    }

    @Test
    void absoluteSymlinkThatNothingIsWrittenThroughIsRestored() throws IOException {
        Path linkTarget = fx.outside.resolve("not-created-by-restore");
        String id = fx.craft((w, m) -> {
            w.file("data/file.txt", fx.payload, CraftedBackups.meta(6));
            w.symlink("data/abs-link", linkTarget.toString(), CraftedBackups.meta(0));
        });
        RestoreResult r = Fixtures.restoreService(fx.key, tmp).restore(fx.target.toString(), id,
                CraftedRestore.PLAN, fx.dest, false, Progress.NONE);
        assertEquals(1, r.files());
        Path link = fx.dest.resolve("data/abs-link");
        assertTrue(Files.isSymbolicLink(link));
        assertEquals(linkTarget, Files.readSymbolicLink(link));
        assertEquals("pwned\n", Files.readString(fx.dest.resolve("data/file.txt")));
        assertOutsideUntouched();
    }

    @Test
    void fileWhoseContentDoesNotMatchTheManifestIsNamed() throws IOException {
        String id = fx.craft((w, m) -> {
            w.file("data/good.txt", fx.payload, CraftedBackups.meta(6));
            w.file("data/altered.txt", fx.payload, CraftedBackups.meta(6));
            int i = indexOf(m, "data/altered.txt");
            Manifest.Entry real = m.entries.get(i);
            m.entries.set(i, new Manifest.Entry(real.path(), real.type(), real.size(), real.mode(), real.mtime(),
                    "0".repeat(64), null));
        });
        FiresafeException e = fx.restoreFails(id, false);
        assertIntegrity(e, "data/altered.txt", "SHA-256");
        assertFalse(e.getMessage().contains("data/good.txt"), "only the file that differs: " + e.getMessage());
        assertIntegrity(fx.verifyFails(id), "data/altered.txt");
    }

    @Test
    void fileMissingFromTheManifestOrFromTheArchiveIsNamed() throws IOException {
        String id = fx.craft((w, m) -> {
            w.file("data/unlisted.txt", fx.payload, CraftedBackups.meta(6));
            m.entries.remove(indexOf(m, "data/unlisted.txt"));
            m.entries.add(new Manifest.Entry("data/lost.txt", Manifest.Entry.FILE, 1L, "0644",
                    Instant.now().toString(), "0".repeat(64), null));
        });
        assertIntegrity(fx.verifyFails(id), "data/unlisted.txt", "data/lost.txt");
    }

    @Test
    void archiveWithoutManifestIsRefused() throws IOException {
        String id = CraftedBackups.write(fx.target, CraftedRestore.PLAN, fx.key, Compression.ZSTD, plain -> {
            ArchiveWriter w = new ArchiveWriter(plain, CraftedBackups.manifest(CraftedRestore.PLAN), n -> {
            });
            w.file("data/file.txt", fx.payload, CraftedBackups.meta(6));
            w.close(); // ends the tar without finish(): no manifest entry
        });
        assertIntegrity(fx.restoreFails(id, false), "no manifest");
        assertIntegrity(fx.verifyFails(id), "no manifest");
    }

    @Test
    void entryAfterTheManifestIsRefused() throws IOException {
        String id = CraftedBackups.write(fx.target, CraftedRestore.PLAN, fx.key, Compression.ZSTD, plain -> {
            TarArchiveOutputStream tar = new TarArchiveOutputStream(plain, StandardCharsets.UTF_8.name());
            byte[] json = CraftedBackups.manifest(CraftedRestore.PLAN).toJson();
            putFile(tar, Manifest.ENTRY_NAME, json);
            putFile(tar, "late.txt", "late".getBytes(StandardCharsets.UTF_8));
            tar.finish();
        });
        assertIntegrity(fx.verifyFails(id), "after its manifest");
    }

    private static void putFile(TarArchiveOutputStream tar, String name, byte[] content) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_NORMAL);
        e.setSize(content.length);
        e.setModTime(FileTime.from(Instant.now()));
        tar.putArchiveEntry(e);
        tar.write(content);
        tar.closeArchiveEntry();
    }

    private static int indexOf(Manifest m, String path) {
        for (int i = 0; i < m.entries.size(); i++) {
            if (m.entries.get(i).path().equals(path)) {
                return i;
            }
        }
        throw new IllegalStateException(path + " not in manifest");
    }

    private static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
