package dev.firesafe.crypto;

import dev.firesafe.core.FiresafeException;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Locale;

/**
 * The text form of key material that a person escrows: a kind prefix, then Crockford base32 in groups of five,
 * then a 4-byte checksum inside the encoded payload.
 *
 * <p>Why this form: it survives being read aloud, typed from paper or pasted into a password manager. Crockford's
 * alphabet has no I, L, O or U, decoding forgives case, dashes and whitespace and reads O as 0 and I/L as 1, and
 * the checksum turns a typo into "mistyped key" instead of a misleading "wrong key" after a slow decryption.
 */
final class EscrowText {

    private static final char[] ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz".toCharArray();
    private static final int CHECKSUM_BYTES = 4;
    private static final int GROUP = 5;

    private EscrowText() {
    }

    static String encode(String kind, byte[] payload) {
        byte[] withSum = Arrays.copyOf(payload, payload.length + CHECKSUM_BYTES);
        System.arraycopy(checksum(kind, payload), 0, withSum, payload.length, CHECKSUM_BYTES);
        String chars = base32(withSum);
        StringBuilder text = new StringBuilder(kind);
        for (int i = 0; i < chars.length(); i += GROUP) {
            text.append('-').append(chars, i, Math.min(chars.length(), i + GROUP));
        }
        return text.toString();
    }

    /** Decodes {@code text} of the given kind; the message of any failure says what is wrong, never the text. */
    static byte[] decode(String kind, String text, String origin) {
        String compact = text.strip().toLowerCase(Locale.ROOT);
        if (!compact.startsWith(kind)) { // what follows the kind may be a dash, whitespace or the first group
            throw FiresafeException.key(origin + " does not hold a Firesafe key of kind '" + kind
                    + "' (it should start with '" + kind + "-')");
        }
        byte[] withSum = unbase32(compact.substring(kind.length()), origin);
        if (withSum.length <= CHECKSUM_BYTES) {
            throw FiresafeException.key(origin + " holds a key that is too short: is it complete?");
        }
        byte[] payload = Arrays.copyOf(withSum, withSum.length - CHECKSUM_BYTES);
        byte[] sum = Arrays.copyOfRange(withSum, payload.length, withSum.length);
        if (!MessageDigest.isEqual(sum, checksum(kind, payload))) {
            throw FiresafeException.key(origin + " holds a mistyped or incomplete key: its checksum does not match");
        }
        return payload;
    }

    private static byte[] checksum(String kind, byte[] payload) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(kind.getBytes(StandardCharsets.US_ASCII));
            return Arrays.copyOf(sha.digest(payload), CHECKSUM_BYTES);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String base32(byte[] data) {
        StringBuilder out = new StringBuilder((data.length * 8 + 4) / 5);
        int buffer = 0;
        int bits = 0;
        for (byte b : data) {
            buffer = (buffer << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 5) {
                out.append(ALPHABET[(buffer >>> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        if (bits > 0) {
            out.append(ALPHABET[(buffer << (5 - bits)) & 31]);
        }
        return out.toString();
    }

    private static byte[] unbase32(String chars, String origin) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int buffer = 0;
        int bits = 0;
        for (int i = 0; i < chars.length(); i++) {
            char c = chars.charAt(i);
            if (c == '-' || Character.isWhitespace(c)) {
                continue;
            }
            int value = valueOf(c);
            if (value < 0) {
                throw FiresafeException.key(origin + " holds a character that no Firesafe key contains");
            }
            buffer = (buffer << 5) | value;
            bits += 5;
            if (bits >= 8) {
                out.write((buffer >>> (bits - 8)) & 0xff);
                bits -= 8;
            }
        }
        return out.toByteArray();
    }

    private static int valueOf(char c) {
        switch (c) {
            case 'o':
                return 0;
            case 'i':
            case 'l':
                return 1;
            default:
                for (int v = 0; v < ALPHABET.length; v++) {
                    if (ALPHABET[v] == c) {
                        return v;
                    }
                }
                return -1;
        }
    }
}
