package dev.firesafe.engine.retention;

import dev.firesafe.crypto.KeyRing;
import dev.firesafe.repository.BackupCatalog;
import dev.firesafe.repository.ChunkTable;
import dev.firesafe.repository.ChunkedObjects;
import dev.firesafe.repository.format.ChunkRef;
import dev.firesafe.repository.format.Footer;
import dev.firesafe.store.Store;

import java.io.IOException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which chunks of removed backups' objects are live: referenced by a counted backup's tree (the kept ones, and
 * those removed within the grace period). Memory stays bounded for large trees: the trees are streamed page by
 * page, and per object of a removed backup that some counted footer names there is its {@link ChunkTable} (about
 * 60 bytes a chunk) and one bit per chunk; never a set of every chunk id the trees name.
 */
final class Liveness {

    /** The live chunks of one removed backup's objects (original first, then generations oldest first). */
    static final class FamilyLive {
        private final List<ChunkTable> tables = new ArrayList<>();
        private final List<BitSet> live = new ArrayList<>();
        private String dangling;
        private boolean any;

        /** Why this family must not be touched (a counted backup names a chunk no object of it holds), or null. */
        String dangling() {
            return dangling;
        }

        private void mark(ChunkRef ref, String referrer) {
            boolean found = false;
            for (int m = 0; m < tables.size(); m++) {
                int i = tables.get(m).find(ref.id());
                if (i >= 0) {
                    live.get(m).set(i);
                    found = true;
                }
            }
            any |= found;
            if (!found && dangling == null) {
                dangling = "backup " + referrer + " needs chunk " + ref.hex().substring(0, 12) + " of backup "
                        + ref.at().objectId() + ", which none of its objects holds: nothing of it is reclaimed; "
                        + "run 'verify all'";
            }
        }

        /** Whether every live chunk of member {@code m} is held by a newer one as well. */
        boolean coveredByNewer(int m) {
            BitSet bits = live.get(m);
            for (int i = bits.nextSetBit(0); i >= 0; i = bits.nextSetBit(i + 1)) {
                byte[] id = tables.get(m).id(i);
                boolean held = false;
                for (int l = m + 1; l < tables.size() && !held; l++) {
                    held = tables.get(l).find(id) >= 0;
                }
                if (!held) {
                    return false;
                }
            }
            return true;
        }

        /** The stored bytes of the distinct live chunks of {@code members}. */
        long liveBytes(List<Integer> members) {
            long[] sum = {0};
            distinctLive(members, (m, i) -> sum[0] += tables.get(m).storedBytes(i));
            return sum[0];
        }

        int liveChunks(List<Integer> members) {
            int[] n = {0};
            distinctLive(members, (m, i) -> n[0]++);
            return n[0];
        }

        private interface Visit {
            void chunk(int member, int index);
        }

        /** Each live chunk once: in the newest member that holds it. */
        private void distinctLive(List<Integer> members, Visit visit) {
            for (int k = members.size() - 1; k >= 0; k--) {
                int m = members.get(k);
                BitSet bits = live.get(m);
                for (int i = bits.nextSetBit(0); i >= 0; i = bits.nextSetBit(i + 1)) {
                    byte[] id = tables.get(m).id(i);
                    boolean newer = false;
                    for (int j = k + 1; j < members.size() && !newer; j++) {
                        newer = tables.get(members.get(j)).find(id) >= 0;
                    }
                    if (!newer) {
                        visit.chunk(m, i);
                    }
                }
            }
        }

        Rewriter.Member member(int m) {
            return new Rewriter.Member(tables.get(m), live.get(m));
        }
    }

    private final Map<String, FamilyLive> families;

    private Liveness(Map<String, FamilyLive> families) {
        this.families = families;
    }

    /** The live chunks of removed backup {@code id}'s objects, or null when no counted backup references one. */
    FamilyLive family(String id) {
        FamilyLive f = families.get(id);
        return f == null || !f.any && f.dangling == null ? null : f;
    }

    /**
     * Reads the trees of {@code counted} backups, each once, for references into {@code families} (removed
     * backups by id); an object is read (its index) only when some counted footer names its backup.
     */
    static Liveness of(Store store, String plan, KeyRing keys, List<BackupCatalog.Ref> counted,
                       Map<String, BackupCatalog.Family> families) throws IOException {
        Map<String, FamilyLive> live = new HashMap<>();
        for (BackupCatalog.Ref ref : counted) {
            try (ChunkedObjects.Opened opened = ChunkedObjects.open(store, ref, keys)) {
                Footer footer = opened.reader().footer();
                boolean names = false;
                for (String object : footer.objects()) {
                    BackupCatalog.Family family = families.get(object);
                    if (family != null) {
                        names = true;
                        if (!live.containsKey(object)) {
                            live.put(object, load(store, keys, family));
                        }
                    }
                }
                if (!names) {
                    continue;
                }
                opened.reader().entries(e -> {
                    for (ChunkRef c : e.chunks()) {
                        FamilyLive f = live.get(c.at().objectId());
                        if (f != null) {
                            f.mark(c, ref.id());
                        }
                    }
                });
            }
        }
        return new Liveness(live);
    }

    private static FamilyLive load(Store store, KeyRing keys, BackupCatalog.Family family) throws IOException {
        FamilyLive f = new FamilyLive();
        for (BackupCatalog.Ref member : family.members()) {
            try (ChunkedObjects.Opened o = ChunkedObjects.open(store, member, keys)) {
                ChunkTable table = ChunkTable.of(o.reader(), member.id());
                f.tables.add(table);
                f.live.add(new BitSet(table.size()));
            }
        }
        return f;
    }
}
