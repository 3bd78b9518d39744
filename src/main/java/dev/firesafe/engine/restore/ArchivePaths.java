package dev.firesafe.engine.restore;

import dev.firesafe.core.FiresafeException;
import dev.firesafe.core.IoMessages;

import java.io.File;

/**
 * Rejects archive entry names that could write outside the destination: absolute paths, '..' segments, empty or
 * NUL-bearing names. Archives made by Firesafe never contain them; one that does was crafted, so the whole restore
 * stops. A backslash or a "C:" prefix is path syntax only where the platform says so (Windows); on POSIX systems
 * they are ordinary characters of legal file names, and refusing them made such a backup unrestorable.
 */
public final class ArchivePaths {
    /** Whether this platform reads '\\' and "X:" as path syntax. */
    private static final boolean WINDOWS_SYNTAX = File.separatorChar == '\\';

    private ArchivePaths() {
    }

    /** The name without a trailing '/', or an integrity error naming the entry. */
    public static String check(String name) {
        String n = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
        if (n.isEmpty() || n.startsWith("/") || n.indexOf('\0') >= 0
                || (WINDOWS_SYNTAX && (n.indexOf('\\') >= 0 || (n.length() > 1 && n.charAt(1) == ':')))) {
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

    /** A name as an error may show it: control characters as '?', a crafted megabyte-long name cut short. */
    static String printable(String s) {
        return IoMessages.shorten(s, 400).replaceAll("\\p{Cntrl}", "?");
    }
}
