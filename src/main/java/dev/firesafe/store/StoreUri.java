package dev.firesafe.store;

import dev.firesafe.archive.FileNames;
import dev.firesafe.core.FiresafeException;

import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * A store's address as a plan or command line gives it, parsed without any I/O: its scheme ({@code file} for a
 * plain path) and the text itself. Which schemes exist, and what the rest must look like, the
 * {@link StoreRegistry}'s backends say.
 *
 * @param scheme lower-case scheme: {@code file}, {@code s3}, {@code github}...
 * @param text   the address as given (a plain path keeps its form, {@code ~} included)
 */
public record StoreUri(String scheme, String text) {

    public static StoreUri parse(String text) {
        if (text == null || text.isBlank()) {
            throw FiresafeException.usage("empty target");
        }
        int colon = text.indexOf("://");
        if (colon < 0) {
            return new StoreUri("file", text);
        }
        return new StoreUri(text.substring(0, colon).toLowerCase(Locale.ROOT), text);
    }

    /** The folder of a local store ({@code file://} or a plain path); empty for every other scheme. */
    public Optional<Path> localFolder() {
        if (!scheme.equals("file")) {
            return Optional.empty();
        }
        if (!text.contains("://")) {
            return Optional.of(FileNames.path(expandHome(text))); // any locale (FileNames)
        }
        try {
            return Optional.of(Path.of(URI.create(text)));
        } catch (IllegalArgumentException e) {
            throw FiresafeException.usage("bad file target '" + text + "': use file:///absolute/path");
        }
    }

    /** The folder of a local store, for a text that may be any store's address. */
    public static Optional<Path> localFolder(String text) {
        return parse(text).localFolder();
    }

    static String expandHome(String path) {
        if (path.equals("~") || path.startsWith("~/")) {
            return System.getProperty("user.home") + path.substring(1);
        }
        return path;
    }

    @Override
    public String toString() {
        return text;
    }
}
