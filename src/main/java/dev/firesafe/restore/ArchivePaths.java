package dev.firesafe.restore;

import dev.firesafe.FiresafeException;

/**
 * Rejects archive entry names that could write outside the destination: absolute paths, '..' segments, empty or
 * NUL-bearing names, and backslashes (a '..\' on another OS). Archives made by Firesafe never contain them; one
 * that does was crafted, so the whole restore stops.
 */
public final class ArchivePaths {
    private ArchivePaths() {
    }

    /** The name without a trailing '/', or an integrity error naming the entry. */
    public static String check(String name) {
        String n = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
        if (n.isEmpty() || n.startsWith("/") || n.indexOf('\0') >= 0 || n.indexOf('\\') >= 0
                || (n.length() > 1 && n.charAt(1) == ':')) {
            throw FiresafeException.integrity("unsafe entry '" + printable(name)
                    + "' in archive: absolute or malformed path");
        }
        for (int start = 0; start <= n.length(); ) {
            int end = n.indexOf('/', start);
            if (end < 0) {
                end = n.length();
            }
            if (isEmptyOrDots(n, start, end)) {
                throw FiresafeException.integrity("unsafe entry '" + printable(name)
                        + "' in archive: '..', '.' or empty path segment");
            }
            start = end + 1;
        }
        return n;
    }

    /** Whether {@code n[start, end)} is "", "." or "..". Scanned in place: this runs for every entry. */
    private static boolean isEmptyOrDots(String n, int start, int end) {
        int length = end - start;
        return length == 0
                || (length <= 2 && n.charAt(start) == '.' && (length == 1 || n.charAt(start + 1) == '.'));
    }

    static String printable(String s) {
        return s.replaceAll("\\p{Cntrl}", "?");
    }
}
