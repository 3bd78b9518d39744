package dev.firesafe.crypto;

import com.google.crypto.tink.StreamingAead;
import dev.firesafe.core.FiresafeException;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The keys that read backups: a master key, recovery keys for write-only backups, or both (a target may hold
 * backups of either kind, e.g. after a switch to write-only mode). Given as one text, keys separated by
 * whitespace; each backup's header says which kind and which key id it needs.
 */
public final class KeyRing {

    /**
     * Where a key starts: its kind, a dash or whitespace (as printed, or as typed back from paper), then a whole
     * group. A key's last group can spell a kind itself, but it is followed by the end or the next key's kind,
     * never by five more key characters.
     */
    private static final Pattern KEY_START = Pattern.compile("(?i)(?=\\bfs[kr]1[-\\s]+[0-9a-z]{5})");

    private final Optional<MasterKey> master;
    private final List<RecoveryKey> recovery;

    public KeyRing(Optional<MasterKey> master, List<RecoveryKey> recovery) {
        this.master = master;
        this.recovery = List.copyOf(recovery);
    }

    public static KeyRing of(MasterKey master) {
        return new KeyRing(Optional.of(master), List.of());
    }

    public static KeyRing parse(String text, String origin) {
        MasterKey master = null;
        List<RecoveryKey> recovery = new ArrayList<>();
        for (String part : KEY_START.split(text.strip())) {
            String key = part.strip();
            if (key.isEmpty()) {
                continue;
            }
            if (key.regionMatches(true, 0, RecoveryKey.KIND, 0, RecoveryKey.KIND.length())) {
                recovery.add(RecoveryKey.parse(key, origin));
            } else if (master != null) {
                throw FiresafeException.key(origin + " holds two master keys: rotate with 'keygen --rotate' "
                        + "instead, which keeps every key in one line");
            } else {
                master = MasterKey.parse(key, origin);
            }
        }
        return new KeyRing(Optional.ofNullable(master), recovery);
    }

    /**
     * Whether these keys read what {@code key} writes: the master key's primary, or the recovery key of the public
     * key new write-only backups are sealed with.
     */
    public boolean reads(EncryptionKey key) {
        if (key instanceof WriteOnlyKey writeOnly) {
            int id = writeOnly.publicKey().id();
            return recovery.stream().anyMatch(r -> r.keyIds().contains(id));
        }
        int id = ((MasterKey) key).primaryKeyId();
        return master.map(m -> m.keyIds().contains(id)).orElse(false);
    }

    /**
     * The key that seals a new object holding what an object with {@code header} held (prune's rewrite): the same
     * kind as the original, so that the same key reads it. The master key (its primary) for a master-key object;
     * for a write-only one, the public half of the recovery key that reads it. Empty if these keys hold neither.
     */
    public Optional<EncryptionKey> sealerFor(BackupHeader header) {
        if (BackupHeader.KEY_MODE_RECIPIENT.equals(header.keyMode())) {
            int keyId;
            try {
                keyId = Integer.parseUnsignedInt(header.keyId(), 16);
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
            return recovery.stream().filter(r -> r.keyIds().contains(keyId)).findFirst()
                    .map(r -> new WriteOnlyKey(r.publicKey(), header.segmentSize()));
        }
        return master.map(m -> m);
    }

    /** The content keys that named the chunks of master-key backups (write-only hosts keep theirs: none here). */
    public List<ContentKey> contentKeys() {
        return master.map(MasterKey::contentKeys).orElse(List.of());
    }

    public Optional<MasterKey> master() {
        return master;
    }

    public List<RecoveryKey> recovery() {
        return recovery;
    }

    /** The ids of the keys given that open backups of this key mode (master or recipient); empty if none. */
    List<Integer> keyIdsFor(String keyMode) {
        if (BackupHeader.KEY_MODE_MASTER.equals(keyMode)) {
            return master.map(MasterKey::keyIds).orElse(List.of());
        }
        if (BackupHeader.KEY_MODE_RECIPIENT.equals(keyMode)) {
            return recovery.stream().flatMap(r -> r.keyIds().stream()).toList();
        }
        return List.of();
    }

    /** The streaming AEAD that opens the backup this header starts, or a KEY error saying which key is needed. */
    StreamingAead aeadFor(BackupHeader header, String what) {
        int keyId;
        try {
            keyId = Integer.parseUnsignedInt(header.keyId(), 16);
        } catch (NumberFormatException e) {
            throw FiresafeException.integrity(what + " has a damaged header (key id)");
        }
        switch (header.keyMode()) {
            case BackupHeader.KEY_MODE_MASTER:
                return master.orElseThrow(() -> FiresafeException.key(what + " was encrypted with a master key "
                        + "(id " + header.keyId() + "); give it in FIRESAFE_MASTER_KEY or FIRESAFE_MASTER_KEY_FILE"))
                        .aeadFor(keyId);
            case BackupHeader.KEY_MODE_RECIPIENT:
                if (recovery.isEmpty()) {
                    throw FiresafeException.key(what + " is a write-only backup: reading it needs the private "
                            + "recovery key (the file 'keygen --write-only --out FILE' wrote) in FIRESAFE_MASTER_KEY "
                            + "or FIRESAFE_MASTER_KEY_FILE");
                }
                if (header.wrappedKey() == null) {
                    throw FiresafeException.integrity(what + " has a damaged header (no wrapped key)");
                }
                byte[] wrapped;
                try {
                    wrapped = Base64.getDecoder().decode(header.wrappedKey());
                } catch (IllegalArgumentException e) {
                    throw FiresafeException.integrity(what + " has a damaged header (wrapped key)");
                }
                RecoveryKey holder = recovery.stream().filter(r -> r.keyIds().contains(keyId)).findFirst()
                        .orElse(recovery.get(0));
                byte[] dataKey = holder.unwrap(keyId, wrapped,
                        WriteOnlyKey.wrapContext(header.backupId(), header.plan()), what);
                return WriteOnlyKey.streamingAead(dataKey, header.segmentSize());
            default:
                throw FiresafeException.integrity(what + " uses key mode '" + header.keyMode()
                        + "', which this Firesafe does not know: upgrade Firesafe to read it");
        }
    }
}
