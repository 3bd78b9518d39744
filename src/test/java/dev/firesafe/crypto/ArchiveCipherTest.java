package dev.firesafe.crypto;

import dev.firesafe.core.ExitCode;
import dev.firesafe.core.FiresafeException;
import dev.firesafe.core.Failures;
import dev.firesafe.core.StoreIOException;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The backup file format ({@link BackupHeader} + streaming AEAD) byte by byte: every change to a file made by
 * {@link ArchiveCipher#encrypt} is refused, as an integrity failure, or as a wrong key where the key id was hit.
 * Small segments (4 KiB) so a 40 KB plaintext spans ten of them.
 */
class ArchiveCipherTest {

    private static final String ID = "20261124T161550.123Z-1a2b3c4d";
    private static final String OTHER_ID = "20261124T171550.456Z-5e6f7a8b";

    private final MasterKey key = MasterKey.generate(4096);
    private final byte[] plaintext = new byte[40_000];

    {
        new Random(11).nextBytes(plaintext);
    }

    private byte[] encrypt(String id, byte[] plain) throws IOException {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        try (OutputStream out = ArchiveCipher.encrypt(file, header(id), key)) {
            out.write(plain);
        }
        return file.toByteArray();
    }

    private BackupHeader header(String id) {
        return ArchiveCipher.headerFor(id, "plan", "2026-11-24T16:15:50.123Z", "zstd", key);
    }

    /** Decrypts fully, as verify does, and returns the outcome as the exit code the CLI would give. */
    private static ExitCode outcome(InputStream file, MasterKey key, String expectedId) {
        try {
            ArchiveCipher.Decrypted d = ArchiveCipher.decrypt(file, key, expectedId, "test backup");
            try (InputStream in = d.plaintext()) {
                in.readAllBytes();
            }
            return ExitCode.OK;
        } catch (IOException | RuntimeException e) {
            return Failures.classify(e, "test").exitCode();
        }
    }

    private ExitCode outcome(byte[] file) {
        return outcome(new ByteArrayInputStream(file), key, ID);
    }

    private static FiresafeException failure(byte[] file, MasterKey key, String expectedId) {
        try {
            ArchiveCipher.Decrypted d = ArchiveCipher.decrypt(new ByteArrayInputStream(file), key, expectedId,
                    "test backup");
            d.plaintext().readAllBytes();
        } catch (IOException | RuntimeException e) {
            return Failures.classify(e, "test");
        }
        throw new AssertionError("decryption succeeded");
    }

    private static byte[] flip(byte[] file, int index, int mask) {
        byte[] copy = file.clone();
        copy[index] ^= (byte) mask;
        return copy;
    }

    private static int indexOf(byte[] haystack, String needle) {
        byte[] n = needle.getBytes(StandardCharsets.UTF_8);
        outer:
        for (int i = 0; i + n.length <= haystack.length; i++) {
            for (int j = 0; j < n.length; j++) {
                if (haystack[i + j] != n[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError(needle + " not found");
    }

    @Test
    void roundTripGivesBackTheHeaderAndThePlaintext() throws IOException {
        byte[] file = encrypt(ID, plaintext);
        ArchiveCipher.Decrypted d = ArchiveCipher.decrypt(new ByteArrayInputStream(file), key, ID, "test backup");
        assertEquals(header(ID), d.header());
        assertArrayEquals(plaintext, d.plaintext().readAllBytes());
        assertEquals(ExitCode.OK, outcome(encrypt(ID, new byte[0])), "an empty plaintext is a valid backup too");
        byte[] start = Arrays.copyOf(file, BackupHeader.MAGIC.length);
        assertArrayEquals("FIRESAFE".getBytes(StandardCharsets.US_ASCII), start);
    }

    @Test
    void headerIsInClearAndNeedsNoKey() throws IOException {
        byte[] file = encrypt(ID, plaintext);
        BackupHeader.Parsed parsed = BackupHeader.read(new ByteArrayInputStream(file), "test backup");
        assertEquals(header(ID), parsed.header());
        assertArrayEquals(header(ID).toBytes(), parsed.rawBytes());
        assertEquals(KeyIds.format(key.primaryKeyId()), parsed.header().keyId());
    }

    @Test
    void wrongKeyIsAKeyErrorNamingBothKeyIds() throws IOException {
        MasterKey other = MasterKey.generate(4096);
        FiresafeException e = failure(encrypt(ID, plaintext), other, ID);
        assertEquals(ExitCode.KEY, e.exitCode());
        assertTrue(e.getMessage().contains("wrong key"), e.getMessage());
        assertTrue(e.getMessage().contains(KeyIds.format(key.primaryKeyId())), e.getMessage());
        assertTrue(e.getMessage().contains(KeyIds.format(other.primaryKeyId())), e.getMessage());
    }

    @Test
    void everyBitOfTheHeaderIsAuthenticated() throws IOException {
        byte[] file = encrypt(ID, plaintext);
        int headerLength = header(ID).toBytes().length;
        int keyIdStart = indexOf(file, "\"keyId\":\"") + "\"keyId\":\"".length();
        int keyModeStart = indexOf(file, "\"keyMode\":\"") + "\"keyMode\":\"".length();
        for (int i = 0; i < headerLength; i++) {
            for (int bit = 0; bit < 8; bit++) {
                ExitCode got = outcome(flip(file, i, 1 << bit));
                boolean inKeyField = (i >= keyIdStart && i < keyIdStart + 8)
                        || (i >= keyModeStart && i < keyModeStart + BackupHeader.KEY_MODE_MASTER.length());
                if (inKeyField && got == ExitCode.KEY) {
                    continue; // a changed key id or mode reads as another key: refused before decrypting
                }
                assertEquals(ExitCode.INTEGRITY, got, "header byte " + i + " bit " + bit + " ('"
                        + (char) file[i] + "')");
            }
        }
    }

    @Test
    void headerEditedIntoAnotherValidHeaderFailsAuthentication() throws IOException {
        byte[] file = encrypt(ID, plaintext);
        int created = indexOf(file, "2026-11-24T16:15:50.123Z");
        byte[] edited = file.clone();
        edited[created + 3] = '5'; // 2026 -> 2025: still valid JSON, still a sensible header
        BackupHeader parsed = BackupHeader.read(new ByteArrayInputStream(edited), "edited").header();
        assertEquals("2025-11-24T16:15:50.123Z", parsed.created());
        FiresafeException e = failure(edited, key, ID);
        assertEquals(ExitCode.INTEGRITY, e.exitCode());
        assertTrue(e.getMessage().contains("failed authentication"), e.getMessage());
    }

    @Test
    void flippedBitsInTheCiphertextAreIntegrityFailures() throws IOException {
        byte[] file = encrypt(ID, plaintext);
        int headerLength = header(ID).toBytes().length;
        TreeSet<Integer> positions = new TreeSet<>();
        for (int i = headerLength; i < headerLength + 64; i++) {
            positions.add(i); // Tink's own header: salt and nonce prefix
        }
        for (int i = headerLength; i < file.length; i += 211) {
            positions.add(i); // across every segment
        }
        for (int i = file.length - 64; i < file.length; i++) {
            positions.add(i); // the last segment and its tag
        }
        for (int i : positions) {
            assertEquals(ExitCode.INTEGRITY, outcome(flip(file, i, 0x10)), "ciphertext byte " + i);
        }
    }

    @Test
    void truncationAnywhereIsAnIntegrityFailure() throws IOException {
        byte[] file = encrypt(ID, plaintext);
        int headerLength = header(ID).toBytes().length;
        TreeSet<Integer> lengths = new TreeSet<>();
        for (int n = 0; n < headerLength + 80; n++) {
            lengths.add(n); // nothing, inside the fixed part, inside the JSON, just after it, inside Tink's header
        }
        for (int n = headerLength; n < file.length; n += 97) {
            lengths.add(n);
        }
        for (int n = file.length - 40; n < file.length; n++) {
            lengths.add(n);
        }
        for (int n : lengths) {
            assertEquals(ExitCode.INTEGRITY, outcome(Arrays.copyOf(file, n)), "cut to " + n + " of " + file.length);
        }
    }

    @Test
    void bytesAppendedAfterTheEndAreAnIntegrityFailure() throws IOException {
        byte[] file = encrypt(ID, plaintext);
        assertEquals(ExitCode.INTEGRITY, outcome(Arrays.copyOf(file, file.length + 1)));
        assertEquals(ExitCode.INTEGRITY, outcome(Arrays.copyOf(file, file.length + 5000)));
    }

    @Test
    void fileOfAnotherBackupIsReportedAsRenamedOrSwapped() throws IOException {
        FiresafeException e = failure(encrypt(OTHER_ID, plaintext), key, ID);
        assertEquals(ExitCode.INTEGRITY, e.exitCode());
        assertTrue(e.getMessage().contains("renamed or swapped"), e.getMessage());
        assertTrue(e.getMessage().contains(OTHER_ID) && e.getMessage().contains(ID), e.getMessage());
    }

    @Test
    void headerOfOneBackupOnTheBodyOfAnotherFailsAuthentication() throws IOException {
        byte[] a = encrypt(ID, plaintext);
        byte[] b = encrypt(OTHER_ID, plaintext);
        int headerLength = header(ID).toBytes().length;
        assertEquals(headerLength, header(OTHER_ID).toBytes().length);
        byte[] spliced = Arrays.copyOf(a, headerLength + b.length - headerLength);
        System.arraycopy(b, headerLength, spliced, headerLength, b.length - headerLength);
        FiresafeException e = failure(spliced, key, ID);
        assertEquals(ExitCode.INTEGRITY, e.exitCode());
        assertTrue(e.getMessage().contains("failed authentication"), e.getMessage());
    }

    @Test
    void somethingThatIsNotABackupSaysSo() {
        byte[] random = new byte[5000];
        new Random(3).nextBytes(random);
        byte[] zip = "PK\u0003\u0004 not a backup at all".getBytes(StandardCharsets.ISO_8859_1);
        for (byte[] notABackup : new byte[][] {new byte[0], new byte[3], random, zip}) {
            FiresafeException e = failure(notABackup, key, ID);
            assertEquals(ExitCode.INTEGRITY, e.exitCode());
            assertTrue(e.getMessage().contains("not a Firesafe backup"), e.getMessage());
        }
    }

    @Test
    void newerFormatOrAbsurdHeaderLengthIsRefusedClearly() throws IOException {
        byte[] file = encrypt(ID, plaintext);
        // formats 2 (chunked) and 3 (archived WAL) are this Firesafe's own; 4 would be a newer one
        FiresafeException newer = failure(flip(file, BackupHeader.MAGIC.length, 1 ^ 4), key, ID);
        assertEquals(ExitCode.INTEGRITY, newer.exitCode());
        assertTrue(newer.getMessage().contains("format 4") && newer.getMessage().contains("upgrade"),
                newer.getMessage());

        byte[] huge = file.clone();
        ByteBuffer.wrap(huge, BackupHeader.MAGIC.length + 1, 4).putInt(Integer.MAX_VALUE);
        FiresafeException damaged = failure(huge, key, ID);
        assertEquals(ExitCode.INTEGRITY, damaged.exitCode());
        assertTrue(damaged.getMessage().contains("damaged header"), damaged.getMessage());
    }

    @Test
    void readErrorsOfTheTargetAreNotMistakenForTampering() throws IOException {
        byte[] file = encrypt(ID, plaintext);
        int failAfter = file.length / 2;
        InputStream flaky = new FilterInputStream(new ByteArrayInputStream(file)) {
            private int served;

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (served >= failAfter) {
                    throw new StoreIOException("connection reset by target", null);
                }
                int n = super.read(b, off, Math.min(len, failAfter - served));
                served += Math.max(n, 0);
                return n;
            }

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }
        };
        assertEquals(ExitCode.TARGET, outcome(flaky, key, ID));
    }
}
