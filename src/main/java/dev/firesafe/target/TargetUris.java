package dev.firesafe.target;

import dev.firesafe.FiresafeException;

import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Turns a target URI from a plan or the command line into a {@link Target}. One place knows every scheme, so an
 * unknown one is refused with the list of known ones. Plain paths are local directories.
 */
public final class TargetUris {
    private TargetUris() {
    }

    public static Target open(String uri) {
        if (uri == null || uri.isBlank()) {
            throw FiresafeException.usage("empty target");
        }
        int colon = uri.indexOf("://");
        if (colon < 0) {
            return new LocalTarget(Path.of(expandHome(uri)));
        }
        String scheme = uri.substring(0, colon).toLowerCase(Locale.ROOT);
        switch (scheme) {
            case "file":
                try {
                    return new LocalTarget(Path.of(URI.create(uri)));
                } catch (IllegalArgumentException e) {
                    throw FiresafeException.usage("bad file target '" + uri + "': use file:///absolute/path");
                }
            default:
                throw FiresafeException.usage("unknown target scheme '" + scheme + "' in '" + uri
                        + "'; known: file://, or a plain path");
        }
    }

    static String expandHome(String path) {
        if (path.equals("~") || path.startsWith("~/")) {
            return System.getProperty("user.home") + path.substring(1);
        }
        return path;
    }
}
