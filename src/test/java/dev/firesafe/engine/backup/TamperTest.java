package dev.firesafe.engine.backup;

import dev.firesafe.core.Progress;
import dev.firesafe.repository.BackupCatalog;
import dev.firesafe.repository.BackupId;
import dev.firesafe.core.ExitCode;
import dev.firesafe.core.FiresafeException;
import dev.firesafe.archive.Compression;
import dev.firesafe.crypto.BackupHeader;
import dev.firesafe.crypto.MasterKey;
import dev.firesafe.plan.Plan;
import dev.firesafe.plan.Retention;
import dev.firesafe.plan.SourceSpec;
import dev.firesafe.engine.restore.RestoreService;
import dev.firesafe.store.local.LocalStore;
import dev.firesafe.testing.CraftedBackups;
import dev.firesafe.testing.Fixtures;
import dev.firesafe.testing.Trees;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Damaged, tampered, truncated, swapped and foreign backup files on a real target, through the real services:
 * verify and restore refuse each with the right exit code, and restore never writes a byte that did not come out
 * of authenticated ciphertext.
 */
class TamperTest {

    private static final String PLAN = "tamper";

    @TempDir
    Path tmp;

    private final MasterKey key = MasterKey.generate(65536);
    private Path source;
    private Path target;
    private BackupCatalog.Ref backup;
    private Path file;
    private int headerLength;

    @BeforeEach
    void setUp() throws IOException {
        source = Trees.everyKind(tmp.resolve("tree"));
        target = tmp.resolve("target");
        backup = runBackup();
        file = target.resolve(backup.objectName());
        try (InputStream in = Files.newInputStream(file)) {
            headerLength = BackupHeader.read(in, "test").rawBytes().length;
        }
        assertTrue(Files.size(file) > 20L * 65536, "the backup spans many segments: " + Files.size(file));
    }

    private BackupCatalog.Ref runBackup() throws IOException {
        Plan plan = new Plan(PLAN, List.of(SourceSpec.of(source.toString())), List.of(target.toString()),
                Compression.ZSTD, Retention.KEEP_ALL);
        BackupResult r = Fixtures.backupService(key, tmp).run(plan, Progress.NONE);
        assertTrue(r.ok(), r.toString());
        return BackupCatalog.list(new LocalStore(target), PLAN).stream().filter(b -> b.id().equals(r.id()))
                .findFirst().orElseThrow();
    }

    private RestoreService restoreService() {
        return Fixtures.restoreService(key, tmp);
    }

    private void flipBit(Path f, long offset, int mask) throws IOException {
        byte[] bytes = Files.readAllBytes(f);
        bytes[Math.toIntExact(offset)] ^= (byte) mask;
        Files.write(f, bytes);
    }

    private void truncate(Path f, long length) throws IOException {
        byte[] bytes = Files.readAllBytes(f);
        Files.write(f, Arrays.copyOf(bytes, Math.toIntExact(length)));
    }

    /**
     * Verify and restore of {@code id} both fail with {@code code} and a message holding {@code words}; returns the
     * restore destination for further checks.
     */
    private Path assertRefused(String id, ExitCode code, String... words) {
        FiresafeException v = assertThrows(FiresafeException.class, () -> restoreService().verify(target.toString(),
                id, PLAN, Progress.NONE));
        assertMessage(v, code, words);
        Path dest = tmp.resolve("out-" + System.nanoTime());
        FiresafeException r = assertThrows(FiresafeException.class, () -> restoreService().restore(
                target.toString(), id, PLAN, dest, false, Progress.NONE));
        assertMessage(r, code, words);
        return dest;
    }

    private static void assertMessage(FiresafeException e, ExitCode code, String... words) {
        assertEquals(code, e.exitCode(), e.getMessage());
        for (String w : words) {
            assertTrue(e.getMessage().contains(w), "message should say '" + w + "': " + e.getMessage());
        }
    }

    private static List<Path> contentsOf(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            return all.filter(p -> !p.equals(dir)).toList();
        }
    }

    /** Nothing in {@code dest}; a folder the restore made for it is gone too (issue #19: it left it empty). */
    private static void assertNothingRestored(Path dest) throws IOException {
        if (Files.exists(dest)) {
            assertEquals(List.of(), contentsOf(dest), "no plaintext may be released before it authenticates");
        }
    }

    /**
     * Every regular file restore left behind holds the start of the same file in the source and nothing else: no
     * byte of tampered ciphertext reached the disk as plaintext. (A file being written when the failure came is
     * left cut short; see the report.)
     */
    private void assertOnlyAuthenticPrefixes(Path dest) throws IOException {
        Path note = dest.resolve("FIRESAFE-RESTORE-INCOMPLETE.txt");
        if (!Files.exists(dest)) {
            return; // nothing was written, and the folder the restore made is gone (issue #19)
        }
        List<Path> written = contentsOf(dest).stream().filter(p -> !p.equals(note)).toList();
        // a restore that wrote anything before failing leaves a note saying it is incomplete, else nothing at all
        assertEquals(!written.isEmpty(), Files.exists(note), "note iff something was written: " + written);
        if (Files.exists(note)) {
            assertTrue(Files.readString(note).startsWith("This restore did NOT complete."), Files.readString(note));
        }
        for (Path p : written) {
            if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            Path original = source.resolve(dest.resolve("tree").relativize(p).toString());
            byte[] restored = Files.readAllBytes(p);
            byte[] expected = Files.readAllBytes(original);
            assertTrue(restored.length <= expected.length, p + " is longer than its original");
            assertArrayEquals(Arrays.copyOf(expected, restored.length), restored, p + " differs from its original");
        }
    }

    @Test
    void untouchedBackupVerifiesAndRestores() throws IOException {
        assertEquals(backup.id(), restoreService().verify(target.toString(), backup.id(), PLAN, Progress.NONE)
                .id());
        Path out = tmp.resolve("out");
        restoreService().restore(target.toString(), backup.id(), PLAN, out, false, Progress.NONE);
        assertEquals(Trees.describe(source), Trees.describe(out.resolve("tree")));
    }

    @Test
    void wrongKeyIsAKeyErrorAndRestoresNothing() throws IOException {
        MasterKey other = MasterKey.generate(65536);
        Path dest = tmp.resolve("out");
        FiresafeException e = assertThrows(FiresafeException.class, () -> Fixtures.restoreService(other, tmp)
                .restore(target.toString(), backup.id(), PLAN, dest, false, Progress.NONE));
        assertMessage(e, ExitCode.KEY, "wrong key");
        assertNothingRestored(dest);
        FiresafeException v = assertThrows(FiresafeException.class, () -> Fixtures.restoreService(other, tmp)
                .verify(target.toString(), backup.id(), PLAN, Progress.NONE));
        assertMessage(v, ExitCode.KEY, "wrong key");
    }

    @Test
    void flippedBitInTheJsonHeader() throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        String json = new String(bytes, 13, headerLength - 13, StandardCharsets.UTF_8);
        int created = json.indexOf("\"created\":\"") + "\"created\":\"".length();
        flipBit(file, 13 + created + 3, 0x01); // "2026" -> "2027": still a valid header, no longer the signed one
        assertNothingRestored(assertRefused(backup.id(), ExitCode.INTEGRITY, "failed authentication"));
        flipBit(file, 13 + created + 3, 0x01);
        int plan = json.indexOf("\"plan\":\"" + PLAN + "\"") + "\"plan\":\"".length();
        flipBit(file, 13 + plan, 0x01); // "tamper" -> "uamper": not the plan of the folder it lies in (issue #18)
        assertNothingRestored(assertRefused(backup.id(), ExitCode.INTEGRITY, "plan 'uamper'", "edited"));
    }

    /**
     * One flipped bit in the header's key id (issue #18): the key id names no key of the ring, but the backup is
     * the ring's and damaged, not made with another key: exit 4, not 3. Both formats; a real wrong key stays 3
     * ({@link #wrongKeyIsAKeyErrorAndRestoresNothing}).
     */
    @Test
    void flippedBitInTheKeyIdIsDamageNotAWrongKey() throws IOException {
        String formatOne = CraftedBackups.withWriter(target, PLAN, key, (w, m) ->
                w.file("tree/hello.txt", source.resolve("hello.txt"), CraftedBackups.meta(6)));
        for (String id : List.of(backup.id(), formatOne)) {
            Path f = target.resolve(BackupCatalog.objectName(PLAN, id));
            byte[] bytes = Files.readAllBytes(f);
            int length;
            try (InputStream in = Files.newInputStream(f)) {
                length = BackupHeader.read(in, "test").rawBytes().length;
            }
            String json = new String(bytes, 13, length - 13, StandardCharsets.UTF_8);
            int keyId = json.indexOf("\"keyId\":\"") + "\"keyId\":\"".length();
            int digit = keyId;
            while (!Character.isDigit(json.charAt(digit))) {
                digit++; // a digit with bit 0 flipped is still a hex digit: the header still parses
            }
            flipBit(f, 13 + digit, 0x01);
            assertNothingRestored(assertRefused(id, ExitCode.INTEGRITY, "key id", "damaged"));
        }
    }

    @Test
    void flippedBitInTheFirstCiphertextSegment() throws IOException {
        flipBit(file, headerLength + 1000, 0x40);
        assertNothingRestored(assertRefused(backup.id(), ExitCode.INTEGRITY, "failed authentication"));
    }

    @Test
    void flippedBitInTheMiddle() throws IOException {
        flipBit(file, Files.size(file) / 2, 0x04);
        assertOnlyAuthenticPrefixes(assertRefused(backup.id(), ExitCode.INTEGRITY, "failed authentication"));
    }

    @Test
    void flippedBitInTheLastBytesTheTag() throws IOException {
        long size = Files.size(file);
        for (long offset : new long[] {size - 1, size - 16}) {
            flipBit(file, offset, 0x80);
            assertOnlyAuthenticPrefixes(assertRefused(backup.id(), ExitCode.INTEGRITY, "failed authentication"));
            flipBit(file, offset, 0x80); // undo for the next offset
        }
    }

    @Test
    void truncatedInsideTheHeader() throws IOException {
        Path pristine = Files.copy(file, tmp.resolve("pristine"));
        for (long cut : new long[] {0, 5, 13, headerLength - 1}) {
            Files.copy(pristine, file, StandardCopyOption.REPLACE_EXISTING);
            truncate(file, cut);
            assertNothingRestored(assertRefused(backup.id(), ExitCode.INTEGRITY, "backup " + backup.id()));
        }
    }

    @Test
    void truncatedJustAfterTheHeader() throws IOException {
        truncate(file, headerLength);
        assertNothingRestored(assertRefused(backup.id(), ExitCode.INTEGRITY));
    }

    @Test
    void truncatedInTheMiddle() throws IOException {
        truncate(file, Files.size(file) / 2);
        assertOnlyAuthenticPrefixes(assertRefused(backup.id(), ExitCode.INTEGRITY));
    }

    @Test
    void aRestoreCutShortSaysItIsIncompleteAndKeepsTheAuthenticPart() throws IOException {
        // A chunked backup is read from its end (footer, tree) before any file: truncation is found before a byte
        // is written (truncatedInTheMiddle); damage inside its data cuts a restore short.
        flipBit(file, Files.size(file) * 3 / 4, 0x10);
        Path dest = tmp.resolve("cut-short");
        FiresafeException e = assertThrows(FiresafeException.class, () -> restoreService().restore(target.toString(),
                backup.id(), PLAN, dest, false, Progress.NONE));
        assertEquals(ExitCode.INTEGRITY, e.exitCode(), e.getMessage());
        assertTrue(e.getMessage().contains("is INCOMPLETE") && e.getMessage().contains(
                "FIRESAFE-RESTORE-INCOMPLETE.txt"), e.getMessage());
        assertTrue(Files.readString(dest.resolve("FIRESAFE-RESTORE-INCOMPLETE.txt")).contains(backup.id()));
        assertOnlyAuthenticPrefixes(dest);
    }

    @Test
    void lastByteCutOff() throws IOException {
        truncate(file, Files.size(file) - 1);
        assertOnlyAuthenticPrefixes(assertRefused(backup.id(), ExitCode.INTEGRITY, "failed authentication"));
    }

    @Test
    void twoBackupsSwappedOnDisk() throws IOException {
        BackupCatalog.Ref second = runBackup();
        assertNotEquals(backup.id(), second.id());
        Path a = file;
        Path b = target.resolve(second.objectName());
        Path aside = a.resolveSibling("swap.tmp");
        Files.move(a, aside);
        Files.move(b, a);
        Files.move(aside, b);

        assertNothingRestored(assertRefused(backup.id(), ExitCode.INTEGRITY, "renamed or swapped", second.id()));
        assertNothingRestored(assertRefused(second.id(), ExitCode.INTEGRITY, "renamed or swapped", backup.id()));
    }

    @Test
    void renamedWithTheHeaderEditedToMatchFailsAuthentication() throws IOException {
        String newId = BackupId.next(Instant.parse("2030-01-01T00:00:00Z"));
        assertEquals(backup.id().length(), newId.length());
        byte[] bytes = Files.readAllBytes(file);
        byte[] oldIdBytes = backup.id().getBytes(StandardCharsets.US_ASCII);
        int at = indexOf(bytes, oldIdBytes, headerLength);
        System.arraycopy(newId.getBytes(StandardCharsets.US_ASCII), 0, bytes, at, oldIdBytes.length);
        Files.write(target.resolve(BackupCatalog.objectName(PLAN, newId)), bytes);
        Files.delete(file);

        assertNothingRestored(assertRefused(newId, ExitCode.INTEGRITY, "failed authentication"));
    }

    private static int indexOf(byte[] haystack, byte[] needle, int within) {
        for (int i = 0; i + needle.length <= within; i++) {
            if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        throw new AssertionError("not in the header");
    }

    @Test
    void fileThatIsNotAFiresafeBackup() throws IOException {
        byte[] random = new byte[100_000];
        new Random(5).nextBytes(random);
        for (byte[] content : new byte[][] {random, new byte[0], "hello\n".getBytes(StandardCharsets.UTF_8)}) {
            String id = BackupId.next(Instant.now());
            Files.write(target.resolve(BackupCatalog.objectName(PLAN, id)), content);
            assertNothingRestored(assertRefused(id, ExitCode.INTEGRITY, "not a Firesafe backup"));
        }
        // and the header reader says the same without a key
        assertThrows(FiresafeException.class, () -> BackupHeader.read(new ByteArrayInputStream(random), "x"));
    }

    @Test
    void missingBackupIsATargetError() {
        FiresafeException e = assertThrows(FiresafeException.class, () -> restoreService().verify(
                target.toString(), BackupId.next(Instant.now()), PLAN, Progress.NONE));
        assertEquals(ExitCode.TARGET, e.exitCode(), e.getMessage());
        assertFalse(e.getMessage().isBlank());
    }
}
