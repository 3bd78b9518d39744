package dev.firesafe.engine.wal;

import dev.firesafe.core.FiresafeException;
import dev.firesafe.postgres.BaseBackups;
import dev.firesafe.repository.wal.BackupHistory;
import dev.firesafe.repository.wal.Lsn;
import dev.firesafe.repository.wal.TimelineHistory;
import dev.firesafe.repository.wal.WalArchive;
import dev.firesafe.repository.wal.WalListing;
import dev.firesafe.repository.wal.WalName;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a plan's WAL archive can recover, read once (a listing plus the small {@code .history} and {@code .backup}
 * files, which need the reading key): the base backups Firesafe made (matched to their backups by label), the
 * timelines, and for any base backup and end point the segments that are missing ({@link #gaps}). Restore checks
 * this before it writes anything; {@code verify --wal} prints it.
 */
public final class WalInventory {

    /** A base backup: the Firesafe backup holding its {@code base.tar}, and its history file. */
    public record Base(String backupId, BackupHistory history) {
    }

    /** Segments missing on {@code timeline}: WAL from {@code from} up to (not including) {@code to}. */
    public record Gap(int timeline, Lsn from, Lsn to) {
        @Override
        public String toString() {
            return "timeline " + timeline + ": " + from + " to " + to;
        }
    }

    private static final int SMALL_FILE = 64 * 1024;

    private final WalListing listing;
    private final long segmentSize;
    private final Map<Integer, TimelineHistory> histories;
    private final List<Base> bases;

    private WalInventory(WalListing listing, long segmentSize, Map<Integer, TimelineHistory> histories,
                         List<Base> bases) {
        this.listing = listing;
        this.segmentSize = segmentSize;
        this.histories = histories;
        this.bases = bases;
    }

    /**
     * Reads the archive. {@code backups}: the ids of the plan's listed backups; a base backup whose backup is not
     * among them (it failed, or retention removed it) is left out.
     */
    public static WalInventory read(WalArchive archive, Set<String> backups) throws IOException {
        WalListing listing = archive.list();
        long segmentSize = listing.segments().isEmpty() ? 16L << 20 : archive.segmentSize(listing.segments().get(0));
        Map<Integer, TimelineHistory> histories = new HashMap<>();
        for (WalListing.Item h : listing.histories()) {
            histories.put(h.name().timeline(), TimelineHistory.parse(h.name().timeline(),
                    archive.readText(h, SMALL_FILE)));
        }
        List<Base> bases = new ArrayList<>();
        for (WalListing.Item b : listing.backupLabels()) {
            Optional<BackupHistory> parsed = BackupHistory.parse(archive.readText(b, SMALL_FILE));
            parsed.flatMap(p -> BaseBackups.backupIdOf(p.label()).filter(backups::contains).map(id -> new Base(id, p)))
                    .ifPresent(bases::add);
        }
        bases.sort(Comparator.comparing(b -> b.history().start()));
        return new WalInventory(listing, segmentSize, histories, List.copyOf(bases));
    }

    public WalListing listing() {
        return listing;
    }

    public long segmentSize() {
        return segmentSize;
    }

    /** Base backups Firesafe holds, oldest first. */
    public List<Base> bases() {
        return bases;
    }

    /** The newest timeline anything was archived for (1 for an empty archive). */
    public int newestTimeline() {
        return listing.timelines().isEmpty() ? 1 : listing.timelines().last();
    }

    /** The history of {@code timeline} (timeline 1 and a missing file: no ancestors). */
    public TimelineHistory history(int timeline) {
        return histories.getOrDefault(timeline, new TimelineHistory(timeline, List.of()));
    }

    /** The end of the newest complete segment archived on {@code timeline}, if any. */
    public Optional<Lsn> archivedEnd(int timeline) {
        List<WalListing.Item> segs = listing.segments(timeline);
        return segs.isEmpty() ? Optional.empty() : Optional.of(Lsn.startOf(
                segs.get(segs.size() - 1).name().segmentNumber(segmentSize) + 1, segmentSize));
    }

    /**
     * The WAL a recovery from {@code base} to {@code end} on {@code timeline} needs and the archive lacks: per
     * timeline on the way (the base's, its descendants up to {@code timeline}), the segments from where replay
     * enters the timeline to where it leaves it, and a missing {@code .history} file as a gap of its own. {@code end}
     * null: the newest segment archived on {@code timeline} (but never before the base's stop point). Empty: the
     * recovery can reach {@code end}.
     */
    public List<Gap> gaps(Base base, int timeline, Lsn end) {
        TimelineHistory path = history(timeline);
        int baseTl = base.history().startTimeline();
        if (!path.contains(baseTl)) {
            throw FiresafeException.usage("the base backup of " + base.backupId() + " is on timeline " + baseTl
                    + ", which timeline " + timeline + " does not descend from");
        }
        List<Integer> way = new ArrayList<>();
        boolean on = false;
        for (TimelineHistory.Branch b : path.ancestors()) {
            on |= b.timeline() == baseTl;
            if (on) {
                way.add(b.timeline());
            }
        }
        way.add(timeline);
        List<Gap> gaps = new ArrayList<>();
        long from = base.history().start().segment(segmentSize);
        long stop = base.history().stop().segment(segmentSize);
        Long switchSegment = null; // where replay entered the current timeline: the parent's copy serves too
        int parent = -1;
        for (int i = 0; i < way.size(); i++) {
            int tl = way.get(i);
            boolean last = i == way.size() - 1;
            if (tl != baseTl && !histories.containsKey(tl)) {
                gaps.add(new Gap(tl, Lsn.startOf(from, segmentSize), Lsn.startOf(from, segmentSize)));
            }
            java.util.Set<Long> also = new java.util.HashSet<>();
            if (switchSegment != null && has(parent, switchSegment)) {
                also.add(switchSegment);
            }
            if (!last) {
                long switchSeg = path.switchPointOf(tl).segment(segmentSize);
                // the segment holding the switch point is read from the child's copy (or this one's)
                missing(tl, from, switchSeg - 1, also, gaps);
                from = switchSeg;
                switchSegment = switchSeg;
                parent = tl;
            } else {
                long newest = archivedEnd(tl).map(e -> e.segment(segmentSize) - 1).orElse(from - 1);
                // no target: as far as this timeline is archived (a new timeline whose first segment is not
                // archived yet ends where its parent's archived WAL ends, as PostgreSQL's recovery would)
                long to = end != null ? end.segment(segmentSize) : Math.max(newest, stop);
                missing(tl, from, Math.max(to, stop), also, gaps);
            }
        }
        return gaps;
    }

    private boolean has(int tl, long segment) {
        return listing.segments(tl).stream().anyMatch(s -> s.name().segmentNumber(segmentSize) == segment);
    }

    private void missing(int tl, long from, long to, java.util.Set<Long> also, List<Gap> gaps) {
        java.util.HashSet<Long> have = new java.util.HashSet<>(also);
        for (WalListing.Item s : listing.segments(tl)) {
            have.add(s.name().segmentNumber(segmentSize));
        }
        gaps.addAll(absent(tl, from, to, have, segmentSize));
    }

    /** The runs of segments from {@code from} to {@code to} (inclusive) not in {@code have}, as LSN ranges. */
    static List<Gap> absent(int tl, long from, long to, java.util.Set<Long> have, long segmentSize) {
        List<Gap> gaps = new ArrayList<>();
        long gapStart = -1;
        for (long seg = from; seg <= to + 1; seg++) {
            boolean missing = seg <= to && !have.contains(seg);
            if (missing && gapStart < 0) {
                gapStart = seg;
            } else if (!missing && gapStart >= 0) {
                gaps.add(new Gap(tl, Lsn.startOf(gapStart, segmentSize), Lsn.startOf(seg, segmentSize)));
                gapStart = -1;
            }
        }
        return gaps;
    }

    /** The name of segment {@code seg} of timeline {@code tl}, for messages. */
    public String segmentName(int tl, Lsn at) {
        return WalName.segment(tl, at.segment(segmentSize), segmentSize).name();
    }
}
