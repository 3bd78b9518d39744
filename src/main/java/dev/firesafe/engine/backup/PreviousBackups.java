package dev.firesafe.engine.backup;

import dev.firesafe.archive.FileMeta;
import dev.firesafe.crypto.BackupHeader;
import dev.firesafe.crypto.KeyRing;
import dev.firesafe.repository.BackupCatalog;
import dev.firesafe.repository.ChunkedObjects;
import dev.firesafe.repository.format.ChunkLocation;
import dev.firesafe.repository.format.TreeEntry;
import dev.firesafe.source.ReadAhead;
import dev.firesafe.store.Store;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the stores of a backup already hold of its plan: the chunks (to reference instead of storing again) and the
 * newest backup's files (to skip reading what has not changed). A chunk or file counts only when EVERY store agrees
 * on it, so the one object written to all of them is right for each: a store that missed backups (it was down)
 * gets what it lacks stored again, in this object.
 *
 * <p>Read from the stores themselves, which needs the key that reads backups; a store that cannot be read
 * contributes nothing, which costs a fuller backup, never a wrong one.
 */
final class PreviousBackups {

    private static final Logger LOG = Logger.getLogger(PreviousBackups.class);

    private final Map<Key, ChunkLocation> chunks;
    private final Map<String, TreeEntry> files;

    private PreviousBackups(Map<Key, ChunkLocation> chunks, Map<String, TreeEntry> files) {
        this.chunks = chunks;
        this.files = files;
    }

    static PreviousBackups none() {
        return new PreviousBackups(Map.of(), Map.of());
    }

    /** What every store in {@code stores} holds of {@code plan}, read with {@code keys}. */
    static PreviousBackups read(List<Store> stores, String plan, KeyRing keys) {
        Map<Key, ChunkLocation> agreedChunks = null;
        Map<String, TreeEntry> agreedFiles = null;
        for (Store store : stores) {
            Map<Key, ChunkLocation> chunks = new HashMap<>();
            Map<String, TreeEntry> files = new HashMap<>();
            try {
                readStore(store, plan, keys, chunks, files);
            } catch (IOException | RuntimeException e) {
                LOG.infof("%s: cannot read what earlier backups of plan %s stored (%s); this backup stores all "
                        + "it needs there", store.describe(), plan, e.getMessage());
                return none();
            }
            agreedChunks = agreedChunks == null ? chunks : intersect(agreedChunks, chunks, Objects::equals);
            agreedFiles = agreedFiles == null ? files : intersect(agreedFiles, files, PreviousBackups::sameFile);
        }
        return agreedChunks == null ? none() : new PreviousBackups(agreedChunks, agreedFiles);
    }

    private static <K, V> Map<K, V> intersect(Map<K, V> a, Map<K, V> b, java.util.function.BiPredicate<V, V> same) {
        Map<K, V> both = new HashMap<>();
        a.forEach((k, v) -> {
            V other = b.get(k);
            if (other != null && same.test(v, other)) {
                both.put(k, v);
            }
        });
        return both;
    }

    private static boolean sameFile(TreeEntry a, TreeEntry b) {
        return a.sameFile(b.size(), b.mtime(), b.ctimeNanos(), b.inode(), b.device())
                && Arrays.equals(a.sha256(), b.sha256()) && a.chunks().equals(b.chunks());
    }

    private static void readStore(Store store, String plan, KeyRing keys, Map<Key, ChunkLocation> chunks,
                                  Map<String, TreeEntry> files) throws IOException {
        List<BackupCatalog.Ref> refs = new ArrayList<>(BackupCatalog.list(store, plan));
        boolean newest = true;
        for (int i = refs.size() - 1; i >= 0; i--) {
            BackupCatalog.Ref ref = refs.get(i);
            if (BackupCatalog.header(store, ref).format() != BackupHeader.FORMAT_CHUNKED) {
                continue;
            }
            try (ChunkedObjects.Opened opened = ChunkedObjects.open(store, ref, keys)) {
                opened.reader().index((id, at) -> chunks.put(new Key(id), at));
                if (newest) {
                    opened.reader().entries(e -> {
                        if (e.kind() == TreeEntry.Kind.FILE) {
                            files.put(e.name(), e);
                        }
                    });
                    newest = false;
                }
            }
        }
    }

    ChunkedWriter.KnownChunks known() {
        return id -> chunks.get(new Key(id));
    }

    /** The walk's look-up: an unchanged file's previous content, or null to read it. */
    ReadAhead.Unchanged unchanged() {
        return (String name, FileMeta meta) -> {
            TreeEntry e = files.get(name);
            if (e == null || !e.sameFile(meta.size(), meta.mtime(), meta.ctimeNanos(), meta.inode(), meta.device())
                    || !e.chunks().stream().allMatch(c -> c.at().equals(chunks.get(new Key(c.id()))))) {
                return null;
            }
            return new ChunkedWriter.PreviousFile(e.sha256(), e.chunks());
        };
    }

    /** A chunk id as a map key. */
    private record Key(byte[] id) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Arrays.equals(id, k.id);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(id);
        }
    }
}
