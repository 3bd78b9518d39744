package dev.firesafe.repository;

import java.security.SecureRandom;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.regex.Pattern;

/**
 * Backup ids: UTC time to the millisecond, then 32 random bits, e.g. {@code 20261124T161550.123Z-1a2b3c4d}.
 * They sort by time as plain strings and two hosts (or two runs in one millisecond) do not collide; the target's
 * no-replace commit catches the rest.
 */
public final class BackupId {

    static final Pattern FORMAT = Pattern.compile("\\d{8}T\\d{6}\\.\\d{3}Z-[0-9a-f]{8}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private BackupId() {
    }

    public static String next(Instant now) {
        LocalDateTime t = LocalDateTime.ofInstant(now, ZoneOffset.UTC);
        StringBuilder id = new StringBuilder(30);
        digits(id, t.getYear(), 4);
        digits(id, t.getMonthValue(), 2);
        digits(id, t.getDayOfMonth(), 2);
        id.append('T');
        digits(id, t.getHour(), 2);
        digits(id, t.getMinute(), 2);
        digits(id, t.getSecond(), 2);
        id.append('.');
        digits(id, t.getNano() / 1_000_000, 3);
        return id.append("Z-").append(String.format("%08x", RANDOM.nextInt())).toString();
    }

    /** The format and a real time: a name with digits in the right places but no such date is not an id. */
    public static boolean isValid(String id) {
        if (!FORMAT.matcher(id).matches()) {
            return false;
        }
        try {
            time(id);
            return true;
        } catch (DateTimeException e) {
            return false;
        }
    }

    /**
     * When backup {@code id} was made. Read digit by digit, not with a DateTimeFormatter: listing a store reads
     * every backup's time, and a formatter's first use alone cost a timer's backup ~10 ms.
     *
     * @throws DateTimeException if the id does not name a real time (e.g. 30 February)
     */
    public static Instant time(String id) {
        if (id.length() < 20 || id.charAt(8) != 'T' || id.charAt(15) != '.' || id.charAt(19) != 'Z') {
            throw new DateTimeException("not a backup id: " + id);
        }
        return LocalDateTime.of(number(id, 0, 4), number(id, 4, 2), number(id, 6, 2), number(id, 9, 2),
                number(id, 11, 2), number(id, 13, 2), number(id, 16, 3) * 1_000_000).toInstant(ZoneOffset.UTC);
    }

    private static int number(String id, int from, int length) {
        int n = 0;
        for (int i = from; i < from + length; i++) {
            char c = id.charAt(i);
            if (c < '0' || c > '9') {
                throw new DateTimeException("not a backup id: " + id);
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }

    private static void digits(StringBuilder out, int value, int width) {
        String v = Integer.toString(value);
        out.append("0".repeat(Math.max(0, width - v.length()))).append(v);
    }
}
