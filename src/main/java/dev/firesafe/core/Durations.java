package dev.firesafe.core;


import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as people write them in plans: {@code 90s}, {@code 5m}, {@code 2h}, {@code 1d}. */
public final class Durations {
    private static final Pattern SHORT = Pattern.compile("(\\d{1,9})\\s*([smhd])");

    private Durations() {
    }

    public static Duration parse(String where, String text) {
        Matcher m = SHORT.matcher(text.strip());
        if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
            throw FiresafeException.usage(where + ": duration '" + text + "' is not like 30s, 5m, 2h or 1d");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }

    /** The inverse of {@link #parse} for whole units: 6h, 90s, 1d. */
    public static String format(Duration d) {
        long s = d.getSeconds();
        if (s % 86400 == 0) {
            return s / 86400 + "d";
        } else if (s % 3600 == 0) {
            return s / 3600 + "h";
        } else if (s % 60 == 0) {
            return s / 60 + "m";
        }
        return s + "s";
    }
}
