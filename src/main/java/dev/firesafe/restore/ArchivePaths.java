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
        for (String segment : n.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw FiresafeException.integrity("unsafe entry '" + printable(name)
                        + "' in archive: '..', '.' or empty path segment");
            }
        }
        return n;
    }

    static String printable(String s) {
        return s.replaceAll("\\p{Cntrl}", "?");
    }
}
