package dev.firesafe.crypto;

import com.google.crypto.tink.subtle.Hkdf;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * The secret that names content without revealing it: a chunk's id is HMAC-SHA256 under this key (not a plain
 * hash, which would let anyone who sees an id confirm a guess of the content), and the content-defined chunker's
 * boundaries are keyed by material derived from it (so chunk sizes do not fingerprint the data; Truong et al.,
 * CCS 2025). Write-only WAL archiving names segments' contents with it too.
 *
 * <p>Where it comes from ({@link KeySource#contentKey()}): with a master key, derived from its primary key by
 * HKDF, so every host sharing the key deduplicates against the same chunks (a rotation starts a fresh set: the
 * first backup after it stores everything again); in write-only mode, a secret the host keeps beside its public
 * key, which never decrypts anything. Losing it costs one full upload, never a backup.
 */
public final class ContentKey {

    static final int BYTES = 32;
    private static final byte[] SALT = "firesafe content key".getBytes(StandardCharsets.US_ASCII);

    private final byte[] key;

    private ContentKey(byte[] key) {
        if (key.length != BYTES) {
            throw new IllegalArgumentException("a content key has " + BYTES + " bytes");
        }
        this.key = key.clone();
    }

    /** The content key of a master key's key material (HKDF-SHA256, its own info string). */
    static ContentKey derivedFrom(byte[] material) {
        return new ContentKey(hkdf(material, "firesafe content key v1", BYTES));
    }

    public static ContentKey of(byte[] key) {
        return new ContentKey(key);
    }

    /** A fresh random key (write-only hosts make theirs once). */
    public static ContentKey generate() {
        byte[] k = new byte[BYTES];
        new java.security.SecureRandom().nextBytes(k);
        return new ContentKey(k);
    }

    /** An HMAC-SHA256 over content under this key; one per thread (a {@link Mac} is not thread-safe). */
    public Mac newMac() {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    }

    /** {@code length} bytes for {@code purpose} (e.g. the chunker's gear table), independent of the ids. */
    public byte[] derive(String purpose, int length) {
        return hkdf(key, purpose, length);
    }

    /**
     * The streaming AEAD of this host's local cache (what earlier backups stored, file by file): under a key of
     * its own derived from this one, so the cache reads back only with the key that wrote it.
     */
    public com.google.crypto.tink.StreamingAead cacheCipher() {
        return MasterKey.aead(64 * 1024, derive("firesafe cache v1", BYTES));
    }

    /** The key itself, for the file a write-only host keeps it in. */
    public byte[] bytes() {
        return key.clone();
    }

    /** A short public fingerprint, so a cache made under another key is recognised and not used. */
    public String fingerprint() {
        byte[] f = derive("firesafe content key fingerprint v1", 8);
        return java.util.HexFormat.of().formatHex(f);
    }

    private static byte[] hkdf(byte[] ikm, String info, int length) {
        try {
            return Hkdf.computeHkdf("HMACSHA256", ikm, SALT, info.getBytes(StandardCharsets.UTF_8), length);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HKDF-SHA256 failed", e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ContentKey other && MessageDigest.isEqual(key, other.key);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(derive("hash", 4));
    }

    @Override
    public String toString() {
        return "ContentKey[" + fingerprint() + "]";
    }
}
