package dev.firesafe.crypto;

import com.google.crypto.tink.StreamingAead;
import dev.firesafe.core.ExitCode;
import dev.firesafe.core.FiresafeException;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Tells a wrong key from a damaged key id (issue #18: one flipped bit in the header's key id was reported as
 * "wrong key", exit 3). The header is authenticated: it is the associated data of the ciphertext. So when its key
 * id names no key given, each key given (of the header's kind) is tried on the first ciphertext segment with the
 * header as it would read with that key's id. If one authenticates, the backup was made with that key and only
 * its key id changed since: damage (exit 4). If none does, it is what it says: a backup of another key (exit 3).
 * Only the first segment is read (at most {@value #MAX_SEGMENT} bytes), and only on this failure path.
 */
final class DamagedKeyId {

    static final int MAX_SEGMENT = 8 << 20;
    private static final byte[] KEY_ID_FIELD = "\"keyId\":\"".getBytes(StandardCharsets.US_ASCII);

    /** The ciphertext from its start, after the header; read once, not closed. */
    @FunctionalInterface
    interface Ciphertext {
        InputStream open() throws IOException;
    }

    private DamagedKeyId() {
    }

    /** The AEAD for this header, or, where the keys lack its key id, a KEY error or (damaged key id) an INTEGRITY one. */
    static StreamingAead aeadFor(KeyRing keys, BackupHeader.Parsed parsed, String what, Ciphertext ciphertext)
            throws IOException {
        try {
            return keys.aeadFor(parsed.header(), what);
        } catch (FiresafeException e) {
            if (e.exitCode() != ExitCode.KEY) {
                throw e;
            }
            Optional<String> ours = keyThatAuthenticates(keys, parsed, what, ciphertext);
            if (ours.isPresent()) {
                throw FiresafeException.integrity(what + " has a damaged header: its key id "
                        + parsed.header().keyId() + " was changed (damaged or tampered with); the backup "
                        + "authenticates under key id " + ours.get() + " of the key given, which made it", e);
            }
            throw e;
        }
    }

    private static Optional<String> keyThatAuthenticates(KeyRing keys, BackupHeader.Parsed parsed, String what,
                                                         Ciphertext ciphertext) throws IOException {
        BackupHeader h = parsed.header();
        List<Integer> candidates = keys.keyIdsFor(h.keyMode());
        int at = keyIdAt(parsed.rawBytes(), h.keyId());
        if (candidates.isEmpty() || at < 0) {
            return Optional.empty();
        }
        // not closed: it is the caller's stream (or channel), which fails and closes it next
        byte[] start = ciphertext.open().readNBytes(Math.min(Math.max(h.segmentSize(), 4096), MAX_SEGMENT) + 1);
        for (int id : candidates) {
            String candidate = KeyIds.format(id);
            if (candidate.length() != h.keyId().length()) {
                continue;
            }
            byte[] raw = parsed.rawBytes().clone();
            System.arraycopy(candidate.getBytes(StandardCharsets.US_ASCII), 0, raw, at, candidate.length());
            BackupHeader asIf = new BackupHeader(h.backupId(), h.plan(), h.created(), h.compression(), h.keyMode(),
                    candidate, h.segmentSize(), h.wrappedKey(), h.format());
            try {
                StreamingAead aead = keys.aeadFor(asIf, what);
                try (InputStream plain = aead.newDecryptingStream(new ByteArrayInputStream(start), raw)) {
                    plain.read(); // authenticates the first segment
                }
                return Optional.of(candidate);
            } catch (FiresafeException | GeneralSecurityException | IOException notThisOne) {
                // another key, or the rest of the header is damaged too: try the next
            }
        }
        return Optional.empty();
    }

    /** Where the key id's value starts in the raw header, or -1. */
    private static int keyIdAt(byte[] raw, String keyId) {
        byte[] field = KEY_ID_FIELD;
        for (int i = 0; i + field.length + keyId.length() <= raw.length; i++) {
            if (Arrays.equals(raw, i, i + field.length, field, 0, field.length)) {
                int value = i + field.length;
                return new String(raw, value, keyId.length(), StandardCharsets.US_ASCII).equals(keyId) ? value : -1;
            }
        }
        return -1;
    }
}
