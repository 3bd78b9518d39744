package dev.firesafe.store.github;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The two digests GitHub files need: SHA-256 for Firesafe's own check, git's blob SHA-1 to match GitHub's sha. */
final class Sha {
    private Sha() {
    }

    static MessageDigest sha256() {
        return digest("SHA-256");
    }

    static String sha256(byte[] data, int off, int len) {
        MessageDigest d = sha256();
        d.update(data, off, len);
        return HexFormat.of().formatHex(d.digest());
    }

    /** git's object id of a blob: SHA-1 over "blob LENGTH\0" and the content; GitHub calls it the file's sha. */
    static String gitBlob(byte[] data, int off, int len) {
        MessageDigest d = digest("SHA-1");
        d.update(("blob " + len + "\0").getBytes(StandardCharsets.US_ASCII));
        d.update(data, off, len);
        return HexFormat.of().formatHex(d.digest());
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is part of every JDK", e);
        }
    }
}
