package dev.firesafe.crypto;

import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.streamingaead.AesGcmHkdfStreamingKey;
import com.google.crypto.tink.subtle.AesGcmHkdfStreaming;
import com.google.crypto.tink.util.SecretBytes;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Write-only sealing: every backup gets a fresh random 32-byte streaming key, wrapped with HPKE for the recovery
 * key's public half and stored in the header. The host forgets the fresh key when the backup ends; only the
 * private recovery key can unwrap it again.
 */
public record WriteOnlyKey(PublicKey publicKey, int segmentSize) implements EncryptionKey {

    private static final SecureRandom RANDOM = new SecureRandom();

    @Override
    public ArchiveCipher.Sealing seal(String backupId, String plan, String created, String compression) {
        byte[] dataKey = new byte[32];
        RANDOM.nextBytes(dataKey);
        byte[] wrapped = publicKey.wrap(dataKey, wrapContext(backupId, plan));
        BackupHeader header = new BackupHeader(backupId, plan, created, compression, BackupHeader.KEY_MODE_RECIPIENT,
                KeyIds.format(publicKey.id()), segmentSize, Base64.getEncoder().encodeToString(wrapped));
        return new ArchiveCipher.Sealing(header, streamingAead(dataKey, segmentSize));
    }

    @Override
    public String mode() {
        return "write-only";
    }

    /** Binds a wrapped key to its backup: moved into another backup's header, it will not unwrap. */
    static byte[] wrapContext(String backupId, String plan) {
        return ("firesafe-wrapped-key-v1\0" + backupId + "\0" + plan).getBytes(StandardCharsets.UTF_8);
    }

    static com.google.crypto.tink.StreamingAead streamingAead(byte[] dataKey, int segmentSize) {
        try {
            return AesGcmHkdfStreaming.create(AesGcmHkdfStreamingKey.create(MasterKey.parameters(segmentSize),
                    SecretBytes.copyFrom(dataKey, InsecureSecretKeyAccess.get())));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build the streaming AEAD", e);
        }
    }
}
