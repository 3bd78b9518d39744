package dev.firesafe.crypto;

import dev.firesafe.core.ExitCode;
import dev.firesafe.core.FiresafeException;
import dev.firesafe.archive.Compression;
import dev.firesafe.engine.backup.BackupResult;
import dev.firesafe.core.Progress;
import dev.firesafe.plan.Plan;
import dev.firesafe.plan.Retention;
import dev.firesafe.plan.SourceSpec;
import dev.firesafe.testing.Fixtures;
import dev.firesafe.testing.Trees;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The master key and its escrow text: what a person copies by hand must survive the copying, or say it did not. */
class MasterKeyTest {

    private static final String ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
    private static final String PREFIX = MasterKey.KIND + "-";
    private static final String ID = "20261124T161550.123Z-1a2b3c4d";

    @TempDir
    Path tmp;

    private final MasterKey key = MasterKey.generate(65536);
    private final byte[] plaintext = new byte[200_000];

    {
        new Random(7).nextBytes(plaintext);
    }

    private static byte[] encrypt(MasterKey key, byte[] plain) throws IOException {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        BackupHeader header = ArchiveCipher.headerFor(ID, "plan", "2026-11-24T16:15:50Z", "none", key);
        try (OutputStream out = ArchiveCipher.encrypt(file, header, key)) {
            out.write(plain);
        }
        return file.toByteArray();
    }

    private static byte[] decrypt(MasterKey key, byte[] file) throws IOException {
        ArchiveCipher.Decrypted d = ArchiveCipher.decrypt(new ByteArrayInputStream(file), key, ID, "test backup");
        try (InputStream in = d.plaintext()) {
            return in.readAllBytes();
        }
    }

    /** The groups of five characters that carry the key: none may ever appear in a message. */
    private static List<String> secretGroups(MasterKey key) {
        String text = key.toEscrowText();
        List<String> groups = new ArrayList<>(List.of(text.substring(PREFIX.length()).split("-")));
        groups.removeIf(g -> g.length() < 5);
        return groups;
    }

    private static void assertNoKeyMaterial(String message, MasterKey... keys) {
        for (MasterKey k : keys) {
            assertFalse(message.contains(k.toEscrowText()), message);
            for (String g : secretGroups(k)) {
                assertFalse(message.toLowerCase(Locale.ROOT).contains(g), "message holds key text '" + g + "': "
                        + message);
            }
        }
    }

    private static FiresafeException parseFails(String text) {
        return assertThrows(FiresafeException.class, () -> MasterKey.parse(text, "test key"));
    }

    /** The index of every character of the escrow text that carries data (not the prefix, not a dash). */
    private static List<Integer> dataPositions(String text) {
        List<Integer> positions = new ArrayList<>();
        for (int i = PREFIX.length(); i < text.length(); i++) {
            if (text.charAt(i) != '-') {
                positions.add(i);
            }
        }
        return positions;
    }

    private static String replaceAt(String text, int i, char c) {
        return text.substring(0, i) + c + text.substring(i + 1);
    }

    @Test
    void escrowTextRoundTripDecryptsWhatTheOriginalEncrypted() throws IOException {
        String text = key.toEscrowText();
        assertTrue(text.startsWith(PREFIX), text);
        assertTrue(text.substring(PREFIX.length()).matches("[0-9a-hjkmnp-tv-z]{5}(-[0-9a-hjkmnp-tv-z]{1,5})*"),
                "Crockford base32 in groups of five: " + text);
        MasterKey parsed = MasterKey.parse(text, "test key");
        assertEquals(key.keyIds(), parsed.keyIds());
        assertEquals(key.primaryKeyId(), parsed.primaryKeyId());
        assertEquals(key.primarySegmentSize(), parsed.primarySegmentSize());
        assertEquals(text, parsed.toEscrowText());
        assertArrayEquals(plaintext, decrypt(parsed, encrypt(key, plaintext)));
        assertArrayEquals(plaintext, decrypt(key, encrypt(parsed, plaintext)));
    }

    @Test
    void twoGeneratedKeysDiffer() {
        MasterKey other = MasterKey.generate(65536);
        assertNotEquals(key.toEscrowText(), other.toEscrowText());
        assertNotEquals(key.primaryKeyId(), other.primaryKeyId());
    }

    @Test
    void everySingleMistypedCharacterIsReportedAsMistyped() {
        String text = key.toEscrowText();
        for (int i : dataPositions(text)) {
            int value = ALPHABET.indexOf(text.charAt(i));
            // value ^ 16 changes the top bit of the character, which carries data even in the last character
            String typo = replaceAt(text, i, ALPHABET.charAt(value ^ 16));
            FiresafeException e = parseFails(typo);
            assertEquals(ExitCode.KEY, e.exitCode());
            assertTrue(e.getMessage().contains("mistyped"), "position " + i + ": " + e.getMessage());
            assertTrue(e.getMessage().contains("test key"), "names where the key came from: " + e.getMessage());
            assertFalse(e.getMessage().contains(typo), e.getMessage());
            assertNoKeyMaterial(e.getMessage(), key);
        }
    }

    @Test
    void noSingleCharacterTypoYieldsADifferentKey() {
        // Changing the lowest bits of the last character may only touch padding: then the key is the same one.
        // What must never happen is a typo that parses to another key, which would surface as "wrong key".
        String text = key.toEscrowText();
        for (int i : dataPositions(text)) {
            int value = ALPHABET.indexOf(text.charAt(i));
            for (int delta = 1; delta < 32; delta++) {
                String typo = replaceAt(text, i, ALPHABET.charAt((value + delta) % 32));
                try {
                    MasterKey parsed = MasterKey.parse(typo, "test key");
                    assertEquals(text, parsed.toEscrowText(), "typo at " + i + " parsed to a different key");
                } catch (FiresafeException e) {
                    assertEquals(ExitCode.KEY, e.exitCode());
                    assertTrue(e.getMessage().contains("mistyped"), e.getMessage());
                }
            }
        }
    }

    @Test
    void swappedNeighboursAndMissingOrExtraCharactersAreRefused() {
        String text = key.toEscrowText();
        List<Integer> data = dataPositions(text);
        int swapAt = -1;
        for (int k = 0; k + 1 < data.size(); k++) {
            int i = data.get(k);
            if (data.get(k + 1) == i + 1 && text.charAt(i) != text.charAt(i + 1)) {
                swapAt = i;
                break;
            }
        }
        String swapped = text.substring(0, swapAt) + text.charAt(swapAt + 1) + text.charAt(swapAt)
                + text.substring(swapAt + 2);
        String missing = text.substring(0, text.length() - 1);
        String extra = text + "7";
        String halfOnly = text.substring(0, text.length() / 2);
        for (String bad : List.of(swapped, missing, extra, halfOnly, PREFIX)) {
            FiresafeException e = parseFails(bad);
            assertEquals(ExitCode.KEY, e.exitCode(), e.getMessage());
            assertNoKeyMaterial(e.getMessage(), key);
        }
    }

    @Test
    void caseWhitespaceAndExtraDashesAreForgiven() throws IOException {
        String text = key.toEscrowText();
        String body = text.substring(PREFIX.length());
        List<String> variants = List.of(
                text.toUpperCase(Locale.ROOT),
                "  \t" + text + "\n\n",
                PREFIX + body.replace("-", " "),
                PREFIX + body.replace("-", "\n"),
                PREFIX + body.replace("-", " - "),
                PREFIX + "--" + body.replace("-", "--") + "-",
                PREFIX + body.replace("-", ""),
                (PREFIX + body.replace("-", "")).toUpperCase(Locale.ROOT),
                // as written on paper and typed back: spaces everywhere, the one after the kind too, or none
                (MasterKey.KIND + " " + body.replace("-", " ")).toUpperCase(Locale.ROOT),
                MasterKey.KIND + "\n" + body.replace("-", "\n"),
                MasterKey.KIND + body.replace("-", ""));
        byte[] file = encrypt(key, plaintext);
        for (String v : variants) {
            MasterKey parsed = MasterKey.parse(v, "test key");
            assertEquals(text, parsed.toEscrowText(), "variant: " + v);
            assertArrayEquals(plaintext, decrypt(parsed, file));
        }
    }

    /** FIRESAFE_MASTER_KEY="$(cat master.key recovery.key)", with both keys typed back from paper. */
    @Test
    void aMasterAndARecoveryKeyWrittenWithSpacesAreBothRead() {
        RecoveryKey recovery = RecoveryKey.generate();
        String typed = key.toEscrowText().replace("-", " ").toUpperCase(Locale.ROOT) + "\n"
                + recovery.toEscrowText().replace("-", " ");
        KeyRing ring = KeyRing.parse(typed, "test keys");
        assertEquals(key.toEscrowText(), ring.master().orElseThrow().toEscrowText());
        assertEquals(List.of(recovery.toEscrowText()), ring.recovery().stream().map(RecoveryKey::toEscrowText).toList());
    }

    @Test
    void crockfordConfusablesAreReadAsDigits() throws IOException {
        MasterKey k = key;
        for (int tries = 0; !(hasDataChar(k, '0') && hasDataChar(k, '1')); tries++) {
            assertTrue(tries < 1000, "no key with both 0 and 1 in 1000 tries");
            k = MasterKey.generate(65536);
        }
        String text = k.toEscrowText();
        String body = text.substring(PREFIX.length());
        byte[] file = encrypt(k, plaintext);
        for (String zero : List.of("O", "o")) {
            for (String one : List.of("I", "i", "L", "l")) {
                String typed = PREFIX + body.replace("0", zero).replace("1", one);
                assertNotEquals(text, typed);
                MasterKey parsed = MasterKey.parse(typed, "test key");
                assertEquals(text, parsed.toEscrowText(), typed);
                assertArrayEquals(plaintext, decrypt(parsed, file));
            }
        }
    }

    private static boolean hasDataChar(MasterKey k, char c) {
        return k.toEscrowText().substring(PREFIX.length()).indexOf(c) >= 0;
    }

    @Test
    void wrongPrefixOrForeignCharactersAreRefused() {
        String body = key.toEscrowText().substring(PREFIX.length());
        for (String bad : List.of("fsk2-" + body, "age-" + body, body, "AGE-SECRET-KEY-1QQQQQ", "")) {
            FiresafeException e = parseFails(bad);
            assertEquals(ExitCode.KEY, e.exitCode());
            assertTrue(e.getMessage().contains("'" + PREFIX + "'"), "says what a key starts with: " + e.getMessage());
            assertNoKeyMaterial(e.getMessage(), key);
        }
        FiresafeException e = parseFails(PREFIX + body.substring(0, 10) + "u" + body.substring(11));
        assertEquals(ExitCode.KEY, e.exitCode());
        assertTrue(e.getMessage().contains("character"), e.getMessage());
        assertNoKeyMaterial(e.getMessage(), key);
    }

    @Test
    void segmentSizeMustBeAPowerOfTwoInRange() {
        for (int bad : new int[] {0, 1000, 4095, 65535, 32 << 20}) {
            FiresafeException e = assertThrows(FiresafeException.class, () -> MasterKey.generate(bad));
            assertEquals(ExitCode.USAGE, e.exitCode());
        }
        assertEquals(4096, MasterKey.generate(4096).primarySegmentSize());
        assertEquals(16 << 20, MasterKey.generate(16 << 20).primarySegmentSize());
    }

    @Test
    void rotateAddsANewPrimaryAndKeepsTheOldKey() {
        MasterKey rotated = key.rotate(1 << 20);
        assertEquals(2, rotated.keyIds().size());
        assertTrue(rotated.keyIds().contains(key.primaryKeyId()));
        assertNotEquals(key.primaryKeyId(), rotated.primaryKeyId());
        assertEquals(1 << 20, rotated.primarySegmentSize());
        assertEquals(List.of(key.primaryKeyId()), key.keyIds(), "rotate returns a new key, this one is unchanged");

        MasterKey reparsed = MasterKey.parse(rotated.toEscrowText(), "test key");
        assertEquals(rotated.keyIds(), reparsed.keyIds());
        assertEquals(rotated.primaryKeyId(), reparsed.primaryKeyId());
        assertEquals(3, rotated.rotate(65536).keyIds().size());
    }

    private Plan plan(Path source, Path target) {
        return new Plan("rotation", List.of(SourceSpec.of(source.toString())), List.of(target.toString()),
                Compression.ZSTD, Retention.KEEP_ALL);
    }

    @Test
    void backupUnderTheOldKeyRestoresWithTheRotatedKey() throws IOException {
        Path source = tmp.resolve("src");
        Trees.write(source.resolve("a.txt"), "before rotation\n".getBytes(StandardCharsets.UTF_8), "rw-r--r--");
        Path target = tmp.resolve("target");
        BackupResult old = Fixtures.backupService(key, tmp).run(plan(source, target), Progress.NONE);
        assertTrue(old.ok(), old.toString());

        MasterKey rotated = MasterKey.parse(key.rotate(65536).toEscrowText(), "rotated key file");
        Path out = tmp.resolve("out");
        Fixtures.restoreService(rotated, tmp).restore(target.toString(), old.id(), null, out, false,
                Progress.NONE);
        assertEquals("before rotation\n", Files.readString(out.resolve("src/a.txt")));
    }

    @Test
    void backupUnderTheRotatedKeyDoesNotRestoreWithTheOldKey() throws IOException {
        Path source = tmp.resolve("src");
        Trees.write(source.resolve("a.txt"), "after rotation\n".getBytes(StandardCharsets.UTF_8), "rw-r--r--");
        Path target = tmp.resolve("target");
        MasterKey rotated = key.rotate(65536);
        BackupResult fresh = Fixtures.backupService(rotated, tmp).run(plan(source, target), Progress.NONE);
        assertTrue(fresh.ok(), fresh.toString());

        Path out = tmp.resolve("out");
        FiresafeException e = assertThrows(FiresafeException.class, () -> Fixtures.restoreService(key, tmp)
                .restore(target.toString(), fresh.id(), null, out, false, Progress.NONE));
        assertEquals(ExitCode.KEY, e.exitCode(), e.getMessage());
        assertTrue(e.getMessage().contains("wrong key"), e.getMessage());
        assertTrue(e.getMessage().contains(KeyIds.format(rotated.primaryKeyId())), "names the backup's key id: "
                + e.getMessage());
        assertTrue(e.getMessage().contains(KeyIds.format(key.primaryKeyId())), "names the key ids given: "
                + e.getMessage());
        assertNoKeyMaterial(e.getMessage(), key, rotated);
        assertFalse(Files.exists(out.resolve("src/a.txt")), "nothing restored");

        MasterKey bothAgain = MasterKey.parse(rotated.toEscrowText(), "test key");
        Fixtures.restoreService(bothAgain, tmp).restore(target.toString(), fresh.id(), null, out, true,
                Progress.NONE);
        assertEquals("after rotation\n", Files.readString(out.resolve("src/a.txt")));
    }

    @Test
    void toStringShowsIdsAndNeverKeyMaterial() {
        MasterKey rotated = key.rotate(65536);
        for (MasterKey k : List.of(key, rotated)) {
            String s = k.toString();
            for (int id : k.keyIds()) {
                assertTrue(s.contains(KeyIds.format(id)), s);
            }
            assertNoKeyMaterial(s, k);
            assertNoKeyMaterial(String.valueOf(List.of(k)), k);
        }
    }
}
