package dev.firesafe.cli;

import java.util.Locale;

/** Sizes and durations for people: 1.5 MB, 12.3 s. Decimal units, as disk vendors and `du --si` use. */
final class Units {
    private Units() {
    }

    static String bytes(long n) {
        if (n < 1000) {
            return n + " B";
        }
        String[] units = {"kB", "MB", "GB", "TB", "PB"};
        double v = n;
        int u = -1;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    /** "1 file", "2 files": {@code n} and the word that goes with it. */
    static String count(long n, String one, String many) {
        return n + " " + (n == 1 ? one : many);
    }

    static String seconds(long millis) {
        return String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
    }
}
