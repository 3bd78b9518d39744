package dev.firesafe.repository.wal;

import dev.firesafe.core.FiresafeException;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The name of a file PostgreSQL archives or asks back, as {@code %f} gives it. Every such name starts with its
 * timeline (8 hex digits), which is how {@link WalArchive} finds an object without listing.
 *
 * <ul>
 *   <li>{@link Kind#SEGMENT} {@code TTTTTTTTXXXXXXXXYYYYYYYY}: timeline, then the segment number split in two
 *       (high part, low part; the low part counts up to {@code 0x100000000 / wal_segment_size}).</li>
 *   <li>{@link Kind#PARTIAL} {@code SEGMENT.partial}: a segment pg_receivewal is still writing.</li>
 *   <li>{@link Kind#HISTORY} {@code TTTTTTTT.history}: how timeline T branched off its parent.</li>
 *   <li>{@link Kind#BACKUP} {@code SEGMENT.OOOOOOOO.backup}: the backup history file a base backup leaves.</li>
 * </ul>
 *
 * @param name     the name as PostgreSQL spells it (hex digits upper-case)
 * @param kind     what it is
 * @param timeline its timeline
 */
public record WalName(String name, Kind kind, int timeline) implements Comparable<WalName> {

    public enum Kind { SEGMENT, PARTIAL, HISTORY, BACKUP }

    private static final Pattern SEGMENT = Pattern.compile("([0-9A-F]{8})([0-9A-F]{8})([0-9A-F]{8})");
    private static final Pattern PARTIAL = Pattern.compile("([0-9A-F]{24})\\.partial");
    private static final Pattern HISTORY = Pattern.compile("([0-9A-F]{8})\\.history");
    private static final Pattern BACKUP = Pattern.compile("([0-9A-F]{24})\\.[0-9A-F]{8}\\.backup");

    /** The name, or empty if it is none PostgreSQL archives. */
    public static Optional<WalName> tryParse(String name) {
        if (SEGMENT.matcher(name).matches()) {
            return Optional.of(new WalName(name, Kind.SEGMENT, timelineOf(name)));
        }
        for (var kind : new Object[][] {{PARTIAL, Kind.PARTIAL}, {HISTORY, Kind.HISTORY}, {BACKUP, Kind.BACKUP}}) {
            Matcher m = ((Pattern) kind[0]).matcher(name);
            if (m.matches()) {
                return Optional.of(new WalName(name, (Kind) kind[1], timelineOf(name)));
            }
        }
        return Optional.empty();
    }

    /** The name, or a usage error saying it is not a WAL file name. */
    public static WalName parse(String name) {
        return tryParse(name).orElseThrow(() -> FiresafeException.usage("'" + name + "' is not the name of a "
                + "PostgreSQL WAL file (a segment like 000000010000000000000003, a .history, .backup or .partial "
                + "file)"));
    }

    /** The segment of timeline {@code timeline} with number {@code segment}, for {@code segmentSize}-byte segments. */
    public static WalName segment(int timeline, long segment, long segmentSize) {
        long perId = 0x100000000L / segmentSize;
        return new WalName(String.format("%08X%08X%08X", timeline, segment / perId, segment % perId),
                Kind.SEGMENT, timeline);
    }

    /** The history file of {@code timeline}. */
    public static WalName history(int timeline) {
        return new WalName(String.format("%08X.history", timeline), Kind.HISTORY, timeline);
    }

    /** The segment number (segments, partials and backup history files), for {@code segmentSize}-byte segments. */
    public long segmentNumber(long segmentSize) {
        if (kind == Kind.HISTORY) {
            throw new IllegalStateException(name + " is a history file: it has no segment number");
        }
        long hi = Long.parseLong(name.substring(8, 16), 16);
        long lo = Long.parseLong(name.substring(16, 24), 16);
        return hi * (0x100000000L / segmentSize) + lo;
    }

    /** The segment a partial or backup history file belongs to; a segment itself. */
    public String segmentName() {
        return kind == Kind.HISTORY ? name : name.substring(0, 24);
    }

    private static int timelineOf(String name) {
        return (int) Long.parseLong(name.substring(0, 8), 16);
    }

    /** By timeline, then by name: within a timeline that is segment order. */
    @Override
    public int compareTo(WalName o) {
        int c = Integer.compareUnsigned(timeline, o.timeline);
        return c != 0 ? c : name.compareTo(o.name);
    }

    @Override
    public String toString() {
        return name;
    }
}
