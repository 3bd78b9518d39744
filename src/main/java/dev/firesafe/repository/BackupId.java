package dev.firesafe.repository;

import java.security.SecureRandom;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.regex.Pattern;

/**
 * Backup ids: UTC time to the millisecond, then 32 random bits, e.g. {@code 20261124T161550.123Z-1a2b3c4d}.
 * They sort by time as plain strings and two hosts (or two runs in one millisecond) do not collide; the target's
 * no-replace commit catches the rest.
 */
public final class BackupId {

    static final Pattern FORMAT = Pattern.compile("\\d{8}T\\d{6}\\.\\d{3}Z-[0-9a-f]{8}");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'")
            .withZone(ZoneOffset.UTC);
    private static final SecureRandom RANDOM = new SecureRandom();

    private BackupId() {
    }

    public static String next(Instant now) {
        return TIME.format(now) + "-" + String.format("%08x", RANDOM.nextInt());
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

    public static Instant time(String id) {
        return Instant.from(TIME.parse(id.substring(0, id.indexOf('-'))));
    }
}
