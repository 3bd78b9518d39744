package dev.firesafe.engine.backup;

import dev.firesafe.archive.FileMeta;
import dev.firesafe.core.Durations;
import dev.firesafe.crypto.BackupHeader;
import dev.firesafe.crypto.ContentKey;
import dev.firesafe.crypto.KeyRing;
import dev.firesafe.repository.BackupCatalog;
import dev.firesafe.repository.ChunkedObjects;
import dev.firesafe.repository.cache.LocalCache;
import dev.firesafe.repository.format.ChunkLocation;
import dev.firesafe.repository.format.ChunkRef;
import dev.firesafe.repository.format.TreeEntry;
import dev.firesafe.source.ReadAhead;
import dev.firesafe.store.Store;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the stores of a backup already hold of its plan: the chunks (to reference instead of storing again) and the
 * newest backup's files (to skip reading what has not changed). A chunk or file counts only when EVERY store agrees
 * on it, so the one object written to all of them is right for each: a store that missed backups (it was down)
 * gets what it lacks stored again, in this object.
 *
 * <p>Each store's knowledge comes from this host's {@link LocalCache} when it matches the store's listing; else
 * from reading the store's backups, which needs the key that reads them (a write-only host has none: it then
 * stores everything, once); else nothing. A store that cannot be read contributes nothing, which costs a fuller
 * backup, never a wrong one. Once the backup is committed on a store, its cache learns the backup.
 *
 * <p>What a new backup may reference (docs/retention.md, "Prune while backups run"): chunks in the objects of the
 * backups listed when it starts, and, for an unchanged file, the chunks the newest of them references, wherever
 * they are (also in objects of removed backups, or in their generations once prune rewrote them). Never a chunk only
 * a removed backup's object holds: prune reclaims those once the removed backup's grace period has passed, and
 * counts the backups listed at any time within it, so the chunks a running backup took from them stay.
 */
final class PreviousBackups implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(PreviousBackups.class);

    /** What one store holds, as far as this host can tell. */
    private interface Knowledge {
        ChunkLocation chunk(byte[] id);

        /** Where the newest copy of {@code c}'s chunk is, as {@link #chunk} (a cache may know it quicker). */
        default ChunkLocation newest(ChunkRef c) {
            return chunk(c.id());
        }

        /** The previous entry of the file called {@code name}, or of the same file (device, inode) renamed. */
        TreeEntry file(String name, FileMeta meta);
    }

    private static final Knowledge NOTHING = new Knowledge() {
        @Override
        public ChunkLocation chunk(byte[] id) {
            return null;
        }

        @Override
        public TreeEntry file(String name, FileMeta meta) {
            return null;
        }
    };

    /** One store: what it holds, and the cache to tell once the backup is committed there. */
    private static final class PerStore {
        final Store store;
        final Knowledge knowledge;
        final LocalCache cache;
        /** The backups (ids) the store listed as this backup started; null if it could not be listed. */
        Set<String> listed;
        LocalCache.FilesWriter files;

        PerStore(Store store, Knowledge knowledge, LocalCache cache) {
            this.store = store;
            this.knowledge = knowledge;
            this.cache = cache;
        }
    }

    private final List<PerStore> stores;
    private final Set<String> sources;
    private final boolean full;

    private PreviousBackups(List<PerStore> stores, Set<String> sources, boolean full) {
        this.stores = stores;
        this.sources = sources;
        this.full = full;
    }

    /**
     * The backups (ids) this backup may take chunks from: those listed when it started on a store it learnt from.
     * Prune counts them as kept for its grace period after they are removed.
     */
    Set<String> sources() {
        return sources;
    }

    /**
     * The backups {@code store} listed as this backup started (null if it could not be listed): its retention
     * removes no other backup, since one committed meanwhile was another run's, just reported (issue #18).
     */
    Set<String> listedAtStart(Store store) {
        return stores.stream().filter(p -> p.store == store).findFirst().map(p -> p.listed).orElse(null);
    }

    /** Whether this backup is to be self-contained: asked for, or the plan's {@code full-every} is due. */
    boolean full() {
        return full;
    }

    /** A store, as the backup starts: its listing (null when it could not be listed) and this host's cache. */
    private record Found(Store store, LocalCache cache, BackupCatalog.Listing listing, String listingError) {
    }

    /**
     * What each of {@code stores} holds of {@code plan}. {@code full}: a self-contained backup uses none of it
     * (the caches still learn it); {@code fullEvery} (or null) makes it one when a store's newest self-contained
     * backup is older than that at {@code now}. {@code reading}: the keys that read backups, or null on a
     * write-only host.
     */
    static PreviousBackups open(List<Store> stores, String plan, String host, Path cacheRoot, ContentKey key,
                                KeyRing reading, boolean full, Duration fullEvery, Instant now) {
        List<Found> found = new ArrayList<>();
        for (Store store : stores) {
            LocalCache cache = LocalCache.open(cacheRoot, host, plan, store.describe(), key).orElse(null);
            try {
                found.add(new Found(store, cache, BackupCatalog.listing(store, plan), null));
            } catch (IOException | RuntimeException e) {
                found.add(new Found(store, cache, null, e.getMessage()));
            }
        }
        boolean selfContained = full || fullEvery != null && found.stream()
                .anyMatch(f -> FullBackups.due(f.store(), f.listing(), f.cache(), reading, now.minus(fullEvery)));
        if (selfContained && !full) {
            LOG.infof("plan %s: this backup is a self-contained one (full-every %s)", plan,
                    Durations.format(fullEvery));
        }
        List<PerStore> per = new ArrayList<>();
        Set<String> sources = new HashSet<>();
        for (Found f : found) {
            Knowledge knowledge = NOTHING;
            try {
                if (f.listing() == null) {
                    throw new IOException(f.listingError());
                }
                Set<String> visible = new HashSet<>();
                f.listing().backups().forEach(r -> visible.add(r.id()));
                if (selfContained) {
                    knowledge = NOTHING;
                } else if (f.cache() != null) {
                    LocalCache cache = f.cache();
                    if (!cache.use(visible) && reading != null) {
                        rebuild(cache, f.store(), f.listing(), reading);
                        cache.use(visible);
                    }
                    knowledge = new Knowledge() {
                        @Override
                        public ChunkLocation chunk(byte[] id) {
                            return cache.chunk(id);
                        }

                        @Override
                        public ChunkLocation newest(ChunkRef c) {
                            return cache.chunk(c);
                        }

                        @Override
                        public TreeEntry file(String name, FileMeta meta) {
                            return cache.previousFile(name, meta.device(), meta.inode());
                        }
                    };
                } else if (reading != null) {
                    knowledge = read(f.store(), f.listing(), reading);
                }
                if (knowledge != NOTHING) {
                    sources.addAll(visible);
                }
            } catch (IOException | RuntimeException e) {
                LOG.infof("%s: cannot read what earlier backups of plan %s stored (%s); this backup stores all "
                        + "it needs there", f.store().describe(), plan, e.getMessage());
                knowledge = NOTHING;
            }
            PerStore p = new PerStore(f.store(), knowledge, f.cache());
            if (f.listing() != null) {
                p.listed = f.listing().backups().stream().map(BackupCatalog.Ref::id)
                        .collect(java.util.stream.Collectors.toUnmodifiableSet());
            }
            if (f.cache() != null) {
                try {
                    p.files = f.cache().newFiles();
                } catch (IOException e) {
                    LOG.infof("the local cache of %s cannot be written (%s)", f.store().describe(), e.getMessage());
                }
            }
            per.add(p);
        }
        return new PreviousBackups(per, Set.copyOf(sources), selfContained);
    }

    /**
     * Makes {@code cache} hold what the store holds: every chunked backup's index (oldest first: the newest copy
     * of a chunk wins) and the newest one's files. Reads each object's index pages and one tree, by range; memory
     * stays that of one page.
     */
    private static void rebuild(LocalCache cache, Store store, BackupCatalog.Listing listing, KeyRing keys)
            throws IOException {
        List<BackupCatalog.Ref> chunked = new ArrayList<>();
        for (BackupCatalog.Ref ref : listing.backups()) {
            if (BackupCatalog.header(store, ref).format() == BackupHeader.FORMAT_CHUNKED) {
                chunked.add(ref);
            }
        }
        if (chunked.isEmpty()) {
            return;
        }
        BackupCatalog.Ref newest = chunked.get(chunked.size() - 1);
        LOG.infof("%s: this host's cache of plan %s does not match the store; reading what its %d backups "
                + "stored", store.describe(), newest.plan(), chunked.size());
        cache.rebuild(newest.id(), consumer -> {
            for (BackupCatalog.Ref ref : chunked) {
                try (ChunkedObjects.Opened opened = ChunkedObjects.open(store, ref, keys)) {
                    opened.reader().index((id, at) -> consumer.accept(new ChunkRef(id, at)));
                }
            }
        }, visitor -> {
            try (ChunkedObjects.Opened opened = ChunkedObjects.open(store, newest, keys)) {
                opened.reader().entries(visitor);
            }
        });
    }

    /** Reads the store's chunked backups: every object's index, and the newest one's tree. */
    private static Knowledge read(Store store, BackupCatalog.Listing listing, KeyRing keys) throws IOException {
        Map<Key, ChunkLocation> chunks = new HashMap<>();
        Map<String, TreeEntry> files = new HashMap<>();
        Map<FileIdentity, TreeEntry> byIdentity = new HashMap<>();
        List<BackupCatalog.Ref> refs = listing.backups();
        boolean newest = true;
        for (int i = refs.size() - 1; i >= 0; i--) {
            BackupCatalog.Ref ref = refs.get(i);
            if (BackupCatalog.header(store, ref).format() != BackupHeader.FORMAT_CHUNKED) {
                continue;
            }
            try (ChunkedObjects.Opened opened = ChunkedObjects.open(store, ref, keys)) {
                // newest first, and the newest copy of a chunk wins: the one every store holds (see known())
                opened.reader().index((id, at) -> chunks.putIfAbsent(new Key(id), at));
                if (newest) {
                    opened.reader().entries(e -> {
                        if (e.kind() == TreeEntry.Kind.FILE) {
                            files.put(e.name(), e);
                            if (e.inode() != 0) {
                                byIdentity.put(new FileIdentity(e.device(), e.inode()), e);
                            }
                        }
                    });
                    newest = false;
                }
            }
        }
        return new Knowledge() {
            @Override
            public ChunkLocation chunk(byte[] id) {
                return chunks.get(new Key(id));
            }

            @Override
            public TreeEntry file(String name, FileMeta meta) {
                TreeEntry e = files.get(name);
                return e != null || meta.inode() == 0 ? e
                        : byIdentity.get(new FileIdentity(meta.device(), meta.inode()));
            }

        };
    }

    /** A chunk's location on every store, or null when some store does not hold it there. */
    ChunkedWriter.KnownChunks known() {
        return id -> agreed(p -> p.knowledge.chunk(id));
    }

    /** Where the newest copy of {@code c}'s chunk is on every store, or null when they do not agree. */
    private ChunkLocation newest(ChunkRef c) {
        return agreed(p -> p.knowledge.newest(c));
    }

    private ChunkLocation agreed(java.util.function.Function<PerStore, ChunkLocation> where) {
        ChunkLocation agreed = null;
        for (PerStore p : stores) {
            ChunkLocation at = where.apply(p);
            if (at == null || agreed != null && !agreed.equals(at)) {
                return null;
            }
            agreed = at;
        }
        return agreed;
    }

    /** The walk's look-up: an unchanged file's previous content, or null to read it. */
    ReadAhead.Unchanged unchanged() {
        return (String name, FileMeta meta) -> {
            TreeEntry agreed = null;
            for (PerStore p : stores) {
                TreeEntry e = p.knowledge.file(name, meta);
                if (e == null || !e.sameFile(meta.size(), meta.mtime(), meta.ctimeNanos(), meta.inode(),
                        meta.device()) || agreed != null && !sameContent(agreed, e)) {
                    return null;
                }
                agreed = e;
            }
            if (agreed == null) {
                return null;
            }
            // the newest backup's references stay valid while it is listed and for the grace period after (prune
            // counts it); where every store holds the chunk in a listed backup's object, refer to that instead
            List<ChunkRef> refs = new ArrayList<>(agreed.chunks().size());
            for (ChunkRef c : agreed.chunks()) {
                ChunkLocation at = newest(c);
                refs.add(at == null || at.equals(c.at()) || at.length() != c.at().length() ? c
                        : new ChunkRef(c.id(), at));
            }
            return new ChunkedWriter.PreviousFile(agreed.sha256(), refs);
        };
    }

    private static boolean sameContent(TreeEntry a, TreeEntry b) {
        return Arrays.equals(a.sha256(), b.sha256()) && a.chunks().equals(b.chunks());
    }

    /** Every entry of the new tree, as it is written: the caches' next file lists. */
    void written(TreeEntry entry) {
        for (PerStore p : stores) {
            if (p.files != null) {
                try {
                    p.files.add(entry);
                } catch (IOException e) {
                    LOG.infof("the local cache of %s cannot be written (%s)", p.store.describe(), e.getMessage());
                    p.cache.failed(p.files);
                    p.files = null;
                }
            }
        }
    }

    /** The backup is committed on {@code store}: its cache learns it. */
    void committed(Store store, String backupId, boolean selfContained, LocalCache.ChunkSource newChunks) {
        for (PerStore p : stores) {
            if (p.store == store && p.cache != null && p.files != null) {
                try {
                    p.cache.committed(backupId, selfContained, p.files, newChunks);
                } catch (IOException e) {
                    LOG.infof("the local cache of %s was not updated (%s); the next backup reads the store",
                            store.describe(), e.getMessage());
                }
                p.files = null;
            }
        }
    }

    @Override
    public void close() {
        for (PerStore p : stores) {
            if (p.cache != null) {
                if (p.files != null) {
                    p.cache.failed(p.files);
                }
                p.cache.close();
            }
        }
    }

    /** A file on this host: its device and inode number. */
    private record FileIdentity(long device, long inode) {
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
