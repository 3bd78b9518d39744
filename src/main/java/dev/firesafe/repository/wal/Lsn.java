package dev.firesafe.repository.wal;

import dev.firesafe.core.FiresafeException;

/**
 * A PostgreSQL log sequence number, a byte position in the WAL, written {@code HI/LO} in hexadecimal
 * ({@code 0/3000028}) as {@code pg_current_wal_lsn()}, {@code backup_label} and {@code recovery_target_lsn} spell it.
 */
public record Lsn(long value) implements Comparable<Lsn> {

    public static Lsn parse(String text) {
        int slash = text == null ? -1 : text.indexOf('/');
        if (slash <= 0 || slash == text.length() - 1) {
            throw FiresafeException.usage("'" + text + "' is not an LSN: write it as PostgreSQL does, e.g. 0/3000028");
        }
        try {
            long hi = Long.parseLong(text.substring(0, slash).strip(), 16);
            long lo = Long.parseLong(text.substring(slash + 1).strip(), 16);
            if (hi > 0xffffffffL || lo > 0xffffffffL || hi < 0 || lo < 0) {
                throw new NumberFormatException();
            }
            return new Lsn(hi << 32 | lo);
        } catch (NumberFormatException e) {
            throw FiresafeException.usage("'" + text + "' is not an LSN: write it as PostgreSQL does, e.g. 0/3000028");
        }
    }

    /** The segment number this position falls in, for segments of {@code segmentSize} bytes. */
    public long segment(long segmentSize) {
        return Long.divideUnsigned(value, segmentSize);
    }

    /** The first position of segment {@code segment}. */
    public static Lsn startOf(long segment, long segmentSize) {
        return new Lsn(segment * segmentSize);
    }

    @Override
    public int compareTo(Lsn o) {
        return Long.compareUnsigned(value, o.value);
    }

    @Override
    public String toString() {
        return String.format("%X/%X", value >>> 32, value & 0xffffffffL);
    }
}
