package dev.firesafe.engine.restore;

import dev.firesafe.core.ExitCode;
import dev.firesafe.core.FiresafeException;
import dev.firesafe.core.StoreIOException;
import dev.firesafe.crypto.BackupHeader;
import dev.firesafe.crypto.ContentKey;
import dev.firesafe.crypto.KeyRing;
import dev.firesafe.repository.BackupCatalog;
import dev.firesafe.repository.ChunkTable;
import dev.firesafe.repository.ChunkedObjects;
import dev.firesafe.repository.format.ChunkLocation;
import dev.firesafe.repository.format.ChunkRef;
import dev.firesafe.repository.format.Footer;
import dev.firesafe.store.Store;

import javax.crypto.Mac;
import java.io.IOException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongConsumer;

/**
 * {@code verify all} over the chunked backups of a store, reading each stored object once, oldest first: every block
 * it holds is decrypted (the AEAD authenticates it) and decompressed, and each chunk checked against its id
 * (HMAC-SHA256 under the content key) where the keys given name content (master-key backups); a backup's tree is
 * read when its own object is, and every chunk reference in it must lead to an intact chunk of that id, where the
 * tree says or, in an object prune rewrote, in a generation. A missing or damaged object is reported with the
 * backups it breaks; the others are intact. Objects of backups that reference one another are read once, not once
 * per backup: what {@code verify ID} adds is each file's SHA-256 over its chunks, which needs them in file order.
 */
final class RepositoryCheck {

    /** Everything found. */
    record Outcome(List<VerifyAllResult.Backup> backups, List<VerifyAllResult.ObjectProblem> problems, long objects) {
    }

    /** What is known of one object once read. */
    private static final class Scanned {
        final BackupCatalog.Ref ref;
        ChunkTable table;
        BitSet damaged;
        String damage;       // the first problem found in it, or null
        boolean unreadable;  // nothing of it can be used

        Scanned(BackupCatalog.Ref ref) {
            this.ref = ref;
        }
    }

    /** A reference into an object not read yet (a clock that went back sorts it after the backup). */
    private record Deferred(String backup, ChunkRef ref) {
    }

    private final Store store;
    private final KeyRing keys;
    private final LongConsumer progress;
    private final List<ContentKey> contentKeys;
    private final Map<String, Scanned> scanned = new HashMap<>();
    private final Map<String, Set<String>> breaks = new LinkedHashMap<>();
    private final Map<String, String> problemOf = new HashMap<>();
    private final Map<String, List<String>> backupProblems = new HashMap<>();
    private long bytes;

    RepositoryCheck(Store store, KeyRing keys, LongConsumer progress) {
        this.store = store;
        this.keys = keys;
        this.progress = progress;
        this.contentKeys = keys.contentKeys();
    }

    /**
     * Checks the chunked objects of {@code listing} (one plan's; others' references never cross plans). Format-1
     * backups are left to the caller, which checks each by reading it (once: nothing else refers to them).
     */
    Outcome check(BackupCatalog.Listing listing, List<BackupCatalog.Ref> chunkedBackups) throws IOException {
        Set<String> backupIds = new java.util.HashSet<>();
        chunkedBackups.forEach(r -> backupIds.add(r.id()));
        List<BackupCatalog.Ref> objects = new ArrayList<>(chunkedBackups);
        objects.addAll(listing.removed());
        listing.generations().forEach(g -> objects.add(g.object()));
        objects.sort(Comparator.comparing(BackupCatalog.Ref::plan).thenComparing(r -> base(r.id()))
                .thenComparingInt(r -> generation(r.id())));
        Map<String, BackupCatalog.Ref> present = new HashMap<>();
        objects.forEach(r -> present.put(r.id(), r));

        List<VerifyAllResult.Backup> verdicts = new ArrayList<>();
        List<Deferred> deferred = new ArrayList<>();
        Map<String, long[]> counts = new HashMap<>();
        for (BackupCatalog.Ref object : objects) {
            long[] c = backupIds.contains(object.id()) ? new long[2] : null;
            scan(object, c, listing, present, deferred);
            if (c != null) {
                counts.put(object.id(), c);
            }
        }
        for (Deferred d : deferred) {
            resolve(d.backup(), d.ref(), listing, present, null);
        }
        for (BackupCatalog.Ref r : chunkedBackups) {
            List<String> problems = backupProblems.getOrDefault(r.id(), List.of());
            long[] c = counts.getOrDefault(r.id(), new long[2]);
            verdicts.add(problems.isEmpty() ? new VerifyAllResult.Backup(r.id(), r.plan(), true, ExitCode.OK.code, null, c[0], c[1])
                    : new VerifyAllResult.Backup(r.id(), r.plan(), false, ExitCode.INTEGRITY.code, String.join("; ", problems), 0,
                    0));
        }
        List<VerifyAllResult.ObjectProblem> problems = new ArrayList<>();
        for (Map.Entry<String, String> p : problemOf.entrySet()) {
            problems.add(new VerifyAllResult.ObjectProblem(p.getKey(), p.getValue(), List.copyOf(breaks.getOrDefault(p.getKey(),
                    Set.of()))));
        }
        problems.sort(Comparator.comparing(VerifyAllResult.ObjectProblem::object));
        return new Outcome(verdicts, problems, objects.size());
    }

    private static String base(String id) {
        int g = id.indexOf(".g");
        return g < 0 ? id : id.substring(0, g);
    }

    private static int generation(String id) {
        int g = id.indexOf(".g");
        return g < 0 ? 0 : Integer.parseInt(id.substring(g + 2));
    }

    /**
     * Reads one object: its footer, its index, then every block its index names and (for a backup, {@code counts}
     * not null) its tree pages, in the order they are stored, each once. A tree page comes after the blocks of the
     * chunks it names, so a backup's own chunks are checked before its entries are.
     */
    private Scanned scan(BackupCatalog.Ref ref, long[] counts, BackupCatalog.Listing listing,
                         Map<String, BackupCatalog.Ref> present, List<Deferred> deferred) throws IOException {
        Scanned s = new Scanned(ref);
        scanned.put(ref.id(), s);
        ChunkedObjects.Opened opened;
        try {
            opened = ChunkedObjects.open(store, ref, keys);
        } catch (StoreIOException e) {
            throw e;
        } catch (IOException | FiresafeException | IllegalArgumentException e) {
            return unreadable(s, counts, "cannot be opened: " + e.getMessage());
        }
        try (opened) {
            Footer footer = opened.reader().footer();
            if (counts != null && (!footer.backupId().equals(ref.id()) || !footer.plan().equals(ref.plan()))) {
                return unreadable(s, counts, "says it is backup " + footer.backupId() + " of plan '" + footer.plan()
                        + "'");
            }
            s.table = ChunkTable.of(opened.reader(), ref.id());
            s.damaged = new BitSet(s.table.size());
            boolean checkIds = BackupHeader.KEY_MODE_MASTER.equals(opened.header().keyMode())
                    && !contentKeys.isEmpty();
            Mac[] macs = contentKeys.stream().map(ContentKey::newMac).toArray(Mac[]::new);
            int[] order = s.table.storageOrder();
            List<Footer.PageRef> pages = counts == null ? List.of() : footer.treePages();
            long files = 0;
            int k = 0;
            int page = 0;
            while (k < order.length || page < pages.size()) {
                long blockAt = k < order.length ? s.table.blockOffset(order[k]) : Long.MAX_VALUE;
                if (page < pages.size() && pages.get(page).offset() < blockAt) {
                    files += treePage(s, opened, pages.get(page++), counts, listing, present, deferred);
                    continue;
                }
                k = block(s, opened, order, k, checkIds, macs);
            }
            if (counts != null && files != footer.files()) {
                damaged(s, "holds " + files + " files but its footer says " + footer.files());
                broken(ref.id(), ref.objectName());
            }
        } catch (StoreIOException e) {
            throw e;
        } catch (IOException | FiresafeException e) {
            return unreadable(s, counts, "is damaged: " + e.getMessage());
        }
        return s;
    }

    private Scanned unreadable(Scanned s, long[] counts, String what) {
        damaged(s, what);
        s.unreadable = true;
        if (counts != null) {
            broken(s.ref.id(), s.ref.objectName());
        }
        return s;
    }

    /** Checks the block of the chunks from {@code order[k]} on; returns where the next block's chunks start. */
    private int block(Scanned s, ChunkedObjects.Opened opened, int[] order, int k, boolean checkIds, Mac[] macs)
            throws IOException {
        ChunkLocation first = s.table.location(order[k]);
        int end = k;
        while (end < order.length && s.table.blockOffset(order[end]) == first.blockOffset()) {
            end++;
        }
        byte[] block = null;
        try {
            block = opened.reader().block(first.blockOffset(), first.blockLength());
        } catch (StoreIOException e) {
            throw e;
        } catch (IOException | FiresafeException e) {
            damaged(s, "its block at " + first.blockOffset() + " is damaged (" + e.getMessage() + ")");
        }
        for (int j = k; j < end; j++) {
            int i = order[j];
            ChunkLocation at = s.table.location(i);
            if (block == null) {
                s.damaged.set(i);
            } else if (at.blockLength() != first.blockLength()
                    || (long) at.offsetInBlock() + at.length() > block.length) {
                s.damaged.set(i);
                damaged(s, "its index names a chunk outside its block at " + at.blockOffset());
            } else if (checkIds && !matches(macs, s.table.id(i), block, at)) {
                s.damaged.set(i);
                damaged(s, "chunk " + java.util.HexFormat.of().formatHex(s.table.id(i), 0, 6)
                        + " does not match its id (damaged or tampered with)");
            } else {
                bytes += at.length();
                progress.accept(bytes);
            }
        }
        return end;
    }

    /** One page of a backup's tree: every reference leads to an intact chunk. Returns the files in it. */
    private long treePage(Scanned self, ChunkedObjects.Opened opened, Footer.PageRef page, long[] counts,
                          BackupCatalog.Listing listing, Map<String, BackupCatalog.Ref> present,
                          List<Deferred> deferred) throws IOException {
        String id = self.ref.id();
        long[] files = {0};
        opened.reader().entries(page, e -> {
            long sum = 0;
            for (ChunkRef c : e.chunks()) {
                sum += c.at().length();
                resolve(id, c, listing, present, deferred);
            }
            if (e.kind().hasContent()) {
                files[0]++;
                counts[0]++;
                counts[1] += e.size();
                if (sum != e.size()) {
                    damaged(self, "'" + ArchivePaths.printable(e.name()) + "' has chunks of " + sum
                            + " bytes for its " + e.size());
                    broken(id, self.ref.objectName());
                }
            }
        });
        return files[0];
    }

    private static boolean matches(Mac[] macs, byte[] id, byte[] block, ChunkLocation at) {
        for (Mac mac : macs) {
            mac.update(block, at.offsetInBlock(), at.length());
            if (MessageDigest.isEqual(mac.doFinal(), id)) {
                return true;
            }
        }
        return false;
    }

    private void damaged(Scanned s, String what) {
        if (s.damage == null) {
            s.damage = what;
            problemOf.put(s.ref.objectName(), "damaged: " + what);
        }
    }

    /** Where reference {@code c} of backup {@code backup} leads; a problem there breaks the backup. */
    private void resolve(String backup, ChunkRef c, BackupCatalog.Listing listing,
                         Map<String, BackupCatalog.Ref> present, List<Deferred> deferred) {
        String named = c.at().objectId();
        BackupCatalog.Ref object = present.get(named);
        if (object != null) {
            Scanned s = scanned.get(named);
            if (s == null) {
                deferred.add(new Deferred(backup, c));
                return;
            }
            if (s.unreadable) {
                broken(backup, object.objectName());
                return;
            }
            int i = s.table.find(c.id());
            if (i < 0 || !s.table.isAt(i, c.at())) {
                damaged(s, "lacks chunk " + c.hex().substring(0, 12) + " where backup " + backup + " says it is");
                broken(backup, object.objectName());
            } else if (s.damaged.get(i)) {
                broken(backup, object.objectName());
            }
            return;
        }
        String plan = present.get(backup).plan();
        BackupCatalog.Family family = listing.family(plan, named);
        List<BackupCatalog.Ref> generations = family.generations();
        String blamed = null;
        for (int g = generations.size() - 1; g >= 0; g--) {
            Scanned s = scanned.get(generations.get(g).id());
            if (s == null) {
                if (deferred != null) {
                    deferred.add(new Deferred(backup, c));
                    return;
                }
                continue;
            }
            if (s.unreadable) {
                blamed = blamed == null ? s.ref.objectName() : blamed;
                continue;
            }
            int i = s.table.find(c.id());
            if (i >= 0 && !s.damaged.get(i) && s.table.length(i) == c.at().length()) {
                return;
            }
            if (i >= 0) {
                blamed = blamed == null ? s.ref.objectName() : blamed;
            }
        }
        if (blamed != null) {
            broken(backup, blamed);
            return;
        }
        String name = BackupCatalog.objectName(plan, named);
        problemOf.putIfAbsent(name, generations.isEmpty() ? "missing" : "missing: its generations lack chunks "
                + "backups need");
        broken(backup, name);
    }

    private void broken(String backup, String object) {
        breaks.computeIfAbsent(object, o -> new TreeSet<>()).add(backup);
        List<String> problems = backupProblems.computeIfAbsent(backup, b -> new ArrayList<>());
        String problem = problemOf.get(object);
        String text = object + (problem == null ? " is damaged" : " is " + problem);
        if (!problems.contains(text)) {
            problems.add(text);
        }
    }
}
