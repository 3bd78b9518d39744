package dev.firesafe.repository.wal;

import java.util.ArrayList;
import java.util.List;

/**
 * A timeline history file ({@code TTTTTTTT.history}): the timelines timeline T descends from, each with the LSN at
 * which its child branched off, oldest first. Timeline 1 has no file and no ancestors.
 */
public record TimelineHistory(int timeline, List<Branch> ancestors) {

    /** Timeline {@code timeline} was left at {@code switchPoint} for the next one on the way to this one. */
    public record Branch(int timeline, Lsn switchPoint) {
    }

    public static TimelineHistory parse(int timeline, String text) {
        List<Branch> branches = new ArrayList<>();
        for (String line : text.split("\n")) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            String[] f = l.split("\\s+");
            if (f.length >= 2) {
                branches.add(new Branch(Integer.parseInt(f[0]), Lsn.parse(f[1])));
            }
        }
        return new TimelineHistory(timeline, List.copyOf(branches));
    }

    /** Whether {@code tl} is this timeline or one of its ancestors. */
    public boolean contains(int tl) {
        return tl == timeline || ancestors.stream().anyMatch(b -> b.timeline() == tl);
    }

    /** Where timeline {@code tl} was left for its child on the way here; null for this timeline itself. */
    public Lsn switchPointOf(int tl) {
        return ancestors.stream().filter(b -> b.timeline() == tl).map(Branch::switchPoint).findFirst().orElse(null);
    }
}
