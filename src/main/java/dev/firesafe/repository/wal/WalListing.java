package dev.firesafe.repository.wal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What a store holds of one plan's WAL archive, from one listing (no object is read): every archived file with
 * its object's name and size, sorted by timeline and then name (for segments: segment order). Objects under
 * {@code PLAN/wal/} whose names are no WAL file's are left out.
 */
public final class WalListing {

    /**
     * One archived file.
     *
     * @param name       the WAL file it holds ({@code X.partial} for a partial segment)
     * @param objectName the store object ({@code PLAN/wal/TTTTTTTT/NAME}; partials carry a version after the name)
     * @param size       the object's size in bytes (ciphertext, header included)
     */
    public record Item(WalName name, String objectName, long size) {
    }

    private final List<Item> items;

    WalListing(List<Item> items) {
        List<Item> sorted = new ArrayList<>(items);
        sorted.sort(Comparator.comparing(Item::name).thenComparing(Item::objectName));
        this.items = List.copyOf(sorted);
    }

    /** Everything, sorted. */
    public List<Item> items() {
        return items;
    }

    /** Complete segments of every timeline, by timeline then segment. */
    public List<Item> segments() {
        return of(WalName.Kind.SEGMENT);
    }

    /** Complete segments of one timeline, in segment order. */
    public List<Item> segments(int timeline) {
        return segments().stream().filter(i -> i.name().timeline() == timeline).toList();
    }

    /** The {@code .history} files, by timeline. */
    public List<Item> histories() {
        return of(WalName.Kind.HISTORY);
    }

    /** The backup history files ({@code SEGMENT.OFFSET.backup}) base backups left. */
    public List<Item> backupLabels() {
        return of(WalName.Kind.BACKUP);
    }

    /** Every stored version of every partial segment, oldest version first per segment. */
    public List<Item> partials() {
        return of(WalName.Kind.PARTIAL);
    }

    /** The newest stored version of partial segment {@code segmentName} (given without {@code .partial}). */
    public Optional<Item> newestPartial(String segmentName) {
        String name = segmentName + ".partial";
        return partials().stream().filter(i -> i.name().name().equals(name)).reduce((a, b) -> b);
    }

    /** The object holding {@code name} (a segment, history or backup history file), if archived. */
    public Optional<Item> find(String name) {
        return items.stream().filter(i -> i.name().name().equals(name) && i.name().kind() != WalName.Kind.PARTIAL)
                .findFirst();
    }

    /** Timelines with anything archived (segments, partials, history files). */
    public SortedSet<Integer> timelines() {
        TreeSet<Integer> t = new TreeSet<>(Integer::compareUnsigned);
        items.forEach(i -> t.add(i.name().timeline()));
        return t;
    }

    public boolean isEmpty() {
        return items.isEmpty();
    }

    private List<Item> of(WalName.Kind kind) {
        return items.stream().filter(i -> i.name().kind() == kind).toList();
    }
}
