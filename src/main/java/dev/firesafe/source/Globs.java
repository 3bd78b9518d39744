package dev.firesafe.source;

import dev.firesafe.archive.FileNames;

import java.io.File;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.List;

/**
 * Include/exclude patterns, matched against a path relative to its source root with '/' separators.
 *
 * <p>The rules people expect from .gitignore, on top of Java's glob syntax: a pattern without '/' matches the
 * name at any depth ({@code *.log}); a leading {@code **}{@code /} also matches at the root; a pattern ending in
 * {@code /**} matches the folder itself too, so an excluded folder is skipped without being walked.
 */
public final class Globs {
    private final List<Rule> rules;

    private record Rule(PathMatcher matcher, boolean nameOnly, PathMatcher rootForm, PathMatcher folderForm) {
    }

    public Globs(List<String> patterns) {
        this.rules = patterns.stream().map(Globs::compile).toList();
    }

    public boolean isEmpty() {
        return rules.isEmpty();
    }

    private static Rule compile(String pattern) {
        String p = pattern.startsWith("/") ? pattern.substring(1) : pattern;
        boolean nameOnly = !pattern.contains("/"); // a leading '/' anchors the name at the root, as in .gitignore
        PathMatcher rootForm = p.startsWith("**/") ? glob(p.substring(3)) : null;
        PathMatcher folderForm = p.endsWith("/**") ? glob(p.substring(0, p.length() - 3)) : null;
        return new Rule(glob(p), nameOnly, rootForm, folderForm);
    }

    private static PathMatcher glob(String p) {
        return FileSystems.getDefault().getPathMatcher("glob:" + p);
    }

    /**
     * Whether {@code rel} (relative to its source root) matches. Takes the walk's own path, never one made again
     * from text: that fails for names the locale cannot spell (see {@code archive.FileNames}). The patterns are
     * matched against the name as UTF-8 text, as the archive stores it: a matcher matches a path's String form,
     * and under {@code LANG=C} the JVM spells "dirü" as "dir\uFFFD\uFFFD", which no pattern with "ü" matches.
     */
    boolean matches(Path rel, boolean isDirectory) {
        if (rules.isEmpty()) {
            return false;
        }
        return matchesShownName(FileNames.text(rel).text(), isDirectory);
    }

    /** Whether a name as an archive shows it ('/'-separated UTF-8 text, e.g. "data/vault/key.txt") matches. */
    public boolean matchesShownName(String shown, boolean isDirectory) {
        if (rules.isEmpty() || shown.isEmpty()) {
            return false;
        }
        return matches(new TextPath(shown), new TextPath(shown.substring(shown.lastIndexOf('/') + 1)), isDirectory);
    }

    private boolean matches(Path rel, Path name, boolean isDirectory) {
        for (Rule r : rules) {
            if (r.matcher.matches(rel)
                    || (r.nameOnly && name != null && r.matcher.matches(name))
                    || (r.rootForm != null && r.rootForm.matches(rel))
                    || (isDirectory && r.folderForm != null && r.folderForm.matches(rel))) {
                return true;
            }
        }
        return false;
    }

    /**
     * A path that is only its text: what a glob {@link PathMatcher} of the default file system reads ("the String
     * representation of the path is matched", {@link FileSystem#getPathMatcher}). Nothing else may be asked of it.
     */
    private record TextPath(String text) implements Path {
        @Override
        public String toString() {
            return text;
        }

        private static UnsupportedOperationException textOnly() {
            return new UnsupportedOperationException("a glob's view of a name: text only");
        }

        @Override public FileSystem getFileSystem() { return FileSystems.getDefault(); }
        @Override public boolean isAbsolute() { return false; }
        @Override public Path getRoot() { return null; }
        @Override public Path getFileName() { throw textOnly(); }
        @Override public Path getParent() { throw textOnly(); }
        @Override public int getNameCount() { throw textOnly(); }
        @Override public Path getName(int index) { throw textOnly(); }
        @Override public Path subpath(int beginIndex, int endIndex) { throw textOnly(); }
        @Override public boolean startsWith(Path other) { throw textOnly(); }
        @Override public boolean endsWith(Path other) { throw textOnly(); }
        @Override public Path normalize() { throw textOnly(); }
        @Override public Path resolve(Path other) { throw textOnly(); }
        @Override public Path relativize(Path other) { throw textOnly(); }
        @Override public URI toUri() { throw textOnly(); }
        @Override public Path toAbsolutePath() { throw textOnly(); }
        @Override public Path toRealPath(LinkOption... options) { throw textOnly(); }
        @Override public File toFile() { throw textOnly(); }
        @Override public WatchKey register(WatchService watcher, WatchEvent.Kind<?>[] events,
                                           WatchEvent.Modifier... modifiers) { throw textOnly(); }
        @Override public int compareTo(Path other) { throw textOnly(); }
    }
}
