package dev.firesafe.crypto;

import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.StreamingAead;
import com.google.crypto.tink.streamingaead.AesGcmHkdfStreamingKey;
import com.google.crypto.tink.streamingaead.AesGcmHkdfStreamingParameters;
import com.google.crypto.tink.subtle.AesGcmHkdfStreaming;
import com.google.crypto.tink.util.SecretBytes;
import dev.firesafe.core.FiresafeException;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The symmetric master key: a small keyset of Tink AES256-GCM-HKDF streaming keys, one of them primary.
 *
 * <p>New backups are encrypted with the primary key; every key in the set can still decrypt, which is what makes
 * rotation safe (see README, "Key rotation"). Each key carries a random 32-bit id that is written in clear in every
 * backup header, so a backup made under a key that is not in this set is reported as "wrong key" before any
 * decryption is attempted.
 *
 * <p>The escrow text holds exactly: format byte, key count, and per key its id, primary flag, segment-size code
 * and 32 key bytes. We build the Tink key objects from that ourselves (instead of Tink's protobuf keyset
 * serialization) because Tink's form spells out a 60-character type URL per key, and a key a person has to copy
 * by hand should be as short as it can be.
 */
public final class MasterKey implements EncryptionKey {

    static final String KIND = "fsk1";
    private static final byte FORMAT = 1;
    private static final int KEY_BYTES = 32;
    private static final int SMALLEST_SEGMENT = 4096;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** One key of the set; the key bytes never leave this class except through {@link #toEscrowText()}. */
    private record Entry(int id, boolean primary, int segmentSize, byte[] material) {
    }

    private final List<Entry> entries;

    private MasterKey(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /** A new single-key master key whose ciphertext segments are {@code segmentSize} bytes. */
    public static MasterKey generate(int segmentSize) {
        return new MasterKey(List.of(newEntry(segmentSize, Collections.emptyList())));
    }

    /** This key set plus a fresh key that becomes primary; the old keys stay to decrypt older backups. */
    public MasterKey rotate(int segmentSize) {
        List<Entry> next = new ArrayList<>();
        for (Entry e : entries) {
            next.add(new Entry(e.id, false, e.segmentSize, e.material));
        }
        next.add(newEntry(segmentSize, entries));
        return new MasterKey(next);
    }

    private static Entry newEntry(int segmentSize, List<Entry> existing) {
        segmentCode(segmentSize);
        int id;
        do {
            id = RANDOM.nextInt();
        } while (id == 0 || hasId(existing, id));
        byte[] material = new byte[KEY_BYTES];
        RANDOM.nextBytes(material);
        return new Entry(id, true, segmentSize, material);
    }

    private static boolean hasId(List<Entry> entries, int id) {
        return entries.stream().anyMatch(e -> e.id == id);
    }

    public static MasterKey parse(String text, String origin) {
        ByteBuffer in = ByteBuffer.wrap(EscrowText.decode(KIND, text, origin));
        try {
            if (in.get() != FORMAT) {
                throw FiresafeException.key(origin + " holds a key made by a newer Firesafe: upgrade to read it");
            }
            int count = in.get() & 0xff;
            List<Entry> entries = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                int id = in.getInt();
                boolean primary = (in.get() & 1) == 1;
                int segmentSize = SMALLEST_SEGMENT << in.get();
                byte[] material = new byte[KEY_BYTES];
                in.get(material);
                entries.add(new Entry(id, primary, segmentSize, material));
            }
            if (in.hasRemaining() || entries.stream().filter(Entry::primary).count() != 1) {
                throw FiresafeException.key(origin + " holds a damaged key set");
            }
            return new MasterKey(entries);
        } catch (java.nio.BufferUnderflowException e) {
            throw FiresafeException.key(origin + " holds an incomplete key");
        }
    }

    public String toEscrowText() {
        ByteBuffer out = ByteBuffer.allocate(2 + entries.size() * (6 + KEY_BYTES));
        out.put(FORMAT).put((byte) entries.size());
        for (Entry e : entries) {
            out.putInt(e.id).put((byte) (e.primary ? 1 : 0)).put(segmentCode(e.segmentSize)).put(e.material);
        }
        return EscrowText.encode(KIND, out.array());
    }

    /** The key that names content (chunk ids, the chunker's boundaries), derived from the primary key. */
    public ContentKey contentKey() {
        return ContentKey.derivedFrom(primary().material);
    }

    /**
     * The content keys of every key in the set, the primary's first: chunks are named under the key that was
     * primary when they were stored, which a checker that has only the chunk does not know.
     */
    public List<ContentKey> contentKeys() {
        List<ContentKey> keys = new ArrayList<>();
        keys.add(contentKey());
        entries.stream().filter(e -> !e.primary).forEach(e -> keys.add(ContentKey.derivedFrom(e.material)));
        return keys;
    }

    public int primaryKeyId() {
        return primary().id;
    }

    public int primarySegmentSize() {
        return primary().segmentSize;
    }

    public List<Integer> keyIds() {
        return entries.stream().map(Entry::id).collect(Collectors.toList());
    }

    @Override
    public ArchiveCipher.Sealing seal(String backupId, String plan, String created, String compression) {
        BackupHeader header = new BackupHeader(backupId, plan, created, compression, BackupHeader.KEY_MODE_MASTER,
                KeyIds.format(primaryKeyId()), primarySegmentSize(), null);
        return new ArchiveCipher.Sealing(header, aead(primary()));
    }

    @Override
    public String mode() {
        return "master";
    }

    /** The streaming AEAD of the key with this id, or a "wrong key" error naming the ids on both sides. */
    StreamingAead aeadFor(int keyId) {
        for (Entry e : entries) {
            if (e.id == keyId) {
                return aead(e);
            }
        }
        throw FiresafeException.key("wrong key: this backup was encrypted with key id " + KeyIds.format(keyId)
                + ", and the master key given holds " + entries.stream().map(e -> KeyIds.format(e.id))
                .collect(Collectors.joining(", ")));
    }

    /** An AEAD under a fresh random key that nobody keeps, for {@link JitWarmup} only. */
    static StreamingAead throwawayAead(int segmentSize) {
        byte[] material = new byte[KEY_BYTES];
        RANDOM.nextBytes(material);
        return aead(segmentSize, material);
    }

    private Entry primary() {
        return entries.stream().filter(Entry::primary).findFirst().orElseThrow();
    }

    private static StreamingAead aead(Entry e) {
        return aead(e.segmentSize, e.material);
    }

    static StreamingAead aead(int segmentSize, byte[] material) {
        try {
            return AesGcmHkdfStreaming.create(AesGcmHkdfStreamingKey.create(parameters(segmentSize),
                    SecretBytes.copyFrom(material, InsecureSecretKeyAccess.get())));
        } catch (GeneralSecurityException ex) {
            throw new IllegalStateException("cannot build the streaming AEAD", ex);
        }
    }

    static AesGcmHkdfStreamingParameters parameters(int segmentSize) throws GeneralSecurityException {
        return AesGcmHkdfStreamingParameters.builder()
                .setKeySizeBytes(KEY_BYTES)
                .setDerivedAesGcmKeySizeBytes(KEY_BYTES)
                .setHkdfHashType(AesGcmHkdfStreamingParameters.HashType.SHA256)
                .setCiphertextSegmentSizeBytes(segmentSize)
                .build();
    }

    private static byte segmentCode(int segmentSize) {
        int code = Integer.numberOfTrailingZeros(segmentSize / SMALLEST_SEGMENT);
        if (segmentSize < SMALLEST_SEGMENT || SMALLEST_SEGMENT << code != segmentSize || code > 12) {
            throw FiresafeException.usage("segment size must be a power of two from 4 KiB to 16 MiB, not "
                    + segmentSize);
        }
        return (byte) code;
    }

    @Override
    public String toString() {
        return "MasterKey[ids=" + entries.stream().map(e -> KeyIds.format(e.id)).collect(Collectors.joining(","))
                + "]";
    }
}
