package dev.firesafe.repository;

import org.junit.jupiter.api.Test;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link BackupCatalog.Listing#family}: what it answers, and that answering it for every backup of a large target
 * costs a look-up each, not a scan of every object each (a restore and {@code verify all} ask it for every chunk
 * reference into an object prune rewrote; issue #20 point 8: times grow with what is read, not with the number of
 * backups).
 */
class ListingFamilyTest {

    private static BackupCatalog.Ref ref(String plan, String id) {
        return new BackupCatalog.Ref(plan, id, BackupCatalog.objectName(plan, id), 100);
    }

    private static BackupCatalog.Generation generation(String plan, String id, int n) {
        return new BackupCatalog.Generation(plan, id, n, new BackupCatalog.Ref(plan, BackupCatalog.generationId(id, n),
                BackupCatalog.generationName(plan, id, n), 10));
    }

    @Test
    void aFamilyIsTheObjectWhileThereAndItsGenerationsOldestFirst() {
        BackupCatalog.Listing listing = new BackupCatalog.Listing(List.of(ref("p", "a"), ref("q", "a")),
                List.of(ref("p", "r")),
                List.of(generation("p", "a", 2), generation("p", "gone", 3), generation("p", "gone", 1),
                        generation("q", "gone", 1)),
                List.of(), Set.of());
        BackupCatalog.Family a = listing.family("p", "a");
        assertEquals(Optional.of(ref("p", "a")), a.original());
        assertEquals(List.of("a.g2"), a.generations().stream().map(BackupCatalog.Ref::id).toList());
        assertEquals(Optional.of(ref("p", "r")), listing.family("p", "r").original(), "a removed backup's object");
        BackupCatalog.Family gone = listing.family("p", "gone");
        assertEquals(Optional.empty(), gone.original());
        assertEquals(List.of("gone.g1", "gone.g3"), gone.generations().stream().map(BackupCatalog.Ref::id).toList(),
                "generations oldest first, of this plan only");
        assertEquals(List.of(), listing.family("p", "none").members());
        assertEquals(Optional.of(ref("q", "a")), listing.family("q", "a").original(), "by plan");
    }

    @Test
    void askingForEveryFamilyOfManyBackupsReadsTheListingOnce() {
        int n = 5_000;
        Counting<BackupCatalog.Ref> backups = new Counting<>();
        Counting<BackupCatalog.Generation> generations = new Counting<>();
        for (int i = 0; i < n; i++) {
            String id = String.format("20260101T000000.000Z-%08x", i);
            backups.items.add(ref("p", id));
            generations.items.add(generation("p", id, 1));
        }
        BackupCatalog.Listing listing = new BackupCatalog.Listing(backups, List.of(), generations, List.of(),
                Set.of());
        long members = 0;
        for (BackupCatalog.Ref r : backups.items) {
            members += listing.family("p", r.id()).members().size();
        }
        assertEquals(2L * n, members);
        // a scan of every object per call (what family did) visits n x n entries: 30,000 backups took 210 s on
        // the project's loaded 2-core machine; an index made once visits each entry a few times
        assertTrue(backups.visits <= 3L * n, backups.visits + " visits of " + n + " backups");
        assertTrue(generations.visits <= 3L * n, generations.visits + " visits of " + n + " generations");
    }

    /** A list that counts how many times its entries are read. */
    private static final class Counting<T> extends AbstractList<T> {
        final List<T> items = new ArrayList<>();
        long visits;

        @Override
        public T get(int index) {
            visits++;
            return items.get(index);
        }

        @Override
        public int size() {
            return items.size();
        }
    }
}
