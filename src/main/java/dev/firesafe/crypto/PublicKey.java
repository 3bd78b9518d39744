package dev.firesafe.crypto;

import com.google.crypto.tink.HybridEncrypt;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.hybrid.HpkePublicKey;
import com.google.crypto.tink.ConfigurationV0;
import com.google.crypto.tink.util.Bytes;
import dev.firesafe.core.FiresafeException;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;

/**
 * What a write-only backup host holds: the public half of the primary {@link RecoveryKey} pair and its id. It can
 * wrap a fresh per-backup key, and nothing else; it is not secret (kind {@value #KIND}).
 */
public final class PublicKey {

    static final String KIND = "fsp1";
    private static final byte FORMAT = 1;

    private final int id;
    private final byte[] x25519;

    PublicKey(int id, byte[] x25519) {
        this.id = id;
        this.x25519 = x25519.clone();
    }

    public int id() {
        return id;
    }

    byte[] wrap(byte[] dataKey, byte[] context) {
        try {
            HybridEncrypt hybrid = KeysetHandle.newBuilder()
                    .addEntry(KeysetHandle.importKey(HpkePublicKey.create(RecoveryKey.HPKE, Bytes.copyFrom(x25519),
                            null)).withRandomId().makePrimary()).build()
                    .getPrimitive(ConfigurationV0.get(), HybridEncrypt.class);
            return hybrid.encrypt(dataKey, context);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot wrap the backup key", e);
        }
    }

    public String toText() {
        return EscrowText.encode(KIND, ByteBuffer.allocate(5 + x25519.length).put(FORMAT).putInt(id).put(x25519)
                .array());
    }

    public static PublicKey parse(String text, String origin) {
        ByteBuffer in = ByteBuffer.wrap(EscrowText.decode(KIND, text, origin));
        try {
            if (in.get() != FORMAT) {
                throw FiresafeException.key(origin + " holds a public key made by a newer Firesafe");
            }
            int id = in.getInt();
            byte[] key = new byte[32];
            in.get(key);
            if (in.hasRemaining()) {
                throw FiresafeException.key(origin + " holds a damaged public key");
            }
            return new PublicKey(id, key);
        } catch (BufferUnderflowException e) {
            throw FiresafeException.key(origin + " holds an incomplete public key");
        }
    }

    @Override
    public String toString() {
        return "PublicKey[id=" + KeyIds.format(id) + "]";
    }
}
