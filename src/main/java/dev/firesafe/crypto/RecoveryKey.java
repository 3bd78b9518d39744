package dev.firesafe.crypto;

import com.google.crypto.tink.HybridDecrypt;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.hybrid.HpkeParameters;
import com.google.crypto.tink.hybrid.HpkePrivateKey;
import com.google.crypto.tink.hybrid.HpkePublicKey;
import com.google.crypto.tink.ConfigurationV0;
import com.google.crypto.tink.subtle.X25519;
import com.google.crypto.tink.util.Bytes;
import com.google.crypto.tink.util.SecretBytes;
import dev.firesafe.core.FiresafeException;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The private half of write-only mode: one or more X25519 keys (HPKE with HKDF-SHA256 and AES-256-GCM), one of
 * them primary. It never goes near the backup host: the host holds only {@link PublicKey}, so an intruder there
 * can neither read old backups nor learn how to. Escrowed like the master key, with the kind {@value #KIND}.
 *
 * <p>Rotation adds a new primary pair; the set keeps the old private keys so older backups stay readable.
 */
public final class RecoveryKey {

    static final String KIND = "fsr1";
    private static final byte FORMAT = 1;
    private static final int KEY_BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    static final HpkeParameters HPKE = hpkeParameters();

    static {
        try {
            // Tink builds hybrid primitives from keysets, which needs the HPKE key serializers registered once.
            com.google.crypto.tink.hybrid.HybridConfig.register();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private record Entry(int id, boolean primary, byte[] privateKey) {
    }

    private final List<Entry> entries;

    private RecoveryKey(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    public static RecoveryKey generate() {
        return new RecoveryKey(List.of(newEntry(List.of())));
    }

    public RecoveryKey rotate() {
        List<Entry> next = new ArrayList<>();
        entries.forEach(e -> next.add(new Entry(e.id, false, e.privateKey)));
        next.add(newEntry(entries));
        return new RecoveryKey(next);
    }

    private static Entry newEntry(List<Entry> existing) {
        int id;
        do {
            id = RANDOM.nextInt();
        } while (id == 0 || hasId(existing, id));
        return new Entry(id, true, X25519.generatePrivateKey());
    }

    private static boolean hasId(List<Entry> entries, int id) {
        return entries.stream().anyMatch(e -> e.id == id);
    }

    /** The public key of the primary pair: what the backup host gets. */
    public PublicKey publicKey() {
        Entry p = entries.stream().filter(Entry::primary).findFirst().orElseThrow();
        try {
            return new PublicKey(p.id, X25519.publicFromPrivate(p.privateKey));
        } catch (java.security.InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }

    public List<Integer> keyIds() {
        return entries.stream().map(Entry::id).toList();
    }

    /**
     * Opens a wrapped per-backup key. A wrapped key that was swapped in from another backup or edited fails here
     * (the HPKE context binds it to its backup id and plan), or at the first segment.
     */
    byte[] unwrap(int keyId, byte[] wrapped, byte[] context, String what) {
        Entry e = entries.stream().filter(x -> x.id == keyId).findFirst().orElseThrow(() -> FiresafeException.key(
                "wrong key: " + what + " was made for recovery key id " + KeyIds.format(keyId)
                        + ", and the recovery key given holds " + entries.stream().map(x -> KeyIds.format(x.id))
                        .collect(Collectors.joining(", "))));
        try {
            HpkePublicKey pub = HpkePublicKey.create(HPKE, Bytes.copyFrom(X25519.publicFromPrivate(e.privateKey)),
                    null);
            HpkePrivateKey priv = HpkePrivateKey.create(pub, SecretBytes.copyFrom(e.privateKey,
                    InsecureSecretKeyAccess.get()));
            HybridDecrypt hybrid = KeysetHandle.newBuilder()
                    .addEntry(KeysetHandle.importKey(priv).withRandomId().makePrimary()).build()
                    .getPrimitive(ConfigurationV0.get(), HybridDecrypt.class);
            return hybrid.decrypt(wrapped, context);
        } catch (GeneralSecurityException ex) {
            throw FiresafeException.integrity(what + ": its wrapped key does not open: the header was tampered with "
                    + "or taken from another backup");
        }
    }

    public static RecoveryKey parse(String text, String origin) {
        ByteBuffer in = ByteBuffer.wrap(EscrowText.decode(KIND, text, origin));
        try {
            if (in.get() != FORMAT) {
                throw FiresafeException.key(origin + " holds a recovery key made by a newer Firesafe");
            }
            int count = in.get() & 0xff;
            List<Entry> entries = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int id = in.getInt();
                boolean primary = (in.get() & 1) == 1;
                byte[] key = new byte[KEY_BYTES];
                in.get(key);
                entries.add(new Entry(id, primary, key));
            }
            if (in.hasRemaining() || entries.stream().filter(Entry::primary).count() != 1) {
                throw FiresafeException.key(origin + " holds a damaged recovery key set");
            }
            return new RecoveryKey(entries);
        } catch (BufferUnderflowException e) {
            throw FiresafeException.key(origin + " holds an incomplete recovery key");
        }
    }

    public String toEscrowText() {
        ByteBuffer out = ByteBuffer.allocate(2 + entries.size() * (5 + KEY_BYTES));
        out.put(FORMAT).put((byte) entries.size());
        entries.forEach(e -> out.putInt(e.id).put((byte) (e.primary ? 1 : 0)).put(e.privateKey));
        return EscrowText.encode(KIND, out.array());
    }

    private static HpkeParameters hpkeParameters() {
        try {
            return HpkeParameters.builder()
                    .setVariant(HpkeParameters.Variant.NO_PREFIX)
                    .setKemId(HpkeParameters.KemId.DHKEM_X25519_HKDF_SHA256)
                    .setKdfId(HpkeParameters.KdfId.HKDF_SHA256)
                    .setAeadId(HpkeParameters.AeadId.AES_256_GCM)
                    .build();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "RecoveryKey[ids=" + entries.stream().map(e -> KeyIds.format(e.id)).collect(Collectors.joining(","))
                + "]";
    }
}
