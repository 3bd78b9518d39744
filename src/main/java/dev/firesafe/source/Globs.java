package dev.firesafe.source;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.List;

/**
 * Include/exclude patterns, matched against a path relative to its source root with '/' separators.
 *
 * <p>The rules people expect from .gitignore, on top of Java's glob syntax: a pattern without '/' matches the
 * name at any depth ({@code *.log}); a leading {@code **}{@code /} also matches at the root; a pattern ending in
 * {@code /**} matches the folder itself too, so an excluded folder is skipped without being walked.
 */
final class Globs {
    private final List<Rule> rules;

    private record Rule(PathMatcher matcher, boolean nameOnly, PathMatcher rootForm, PathMatcher folderForm) {
    }

    Globs(List<String> patterns) {
        this.rules = patterns.stream().map(Globs::compile).toList();
    }

    boolean isEmpty() {
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
     * from text: that fails for names the locale cannot spell (see {@code archive.FileNames}).
     */
    boolean matches(Path rel, boolean isDirectory) {
        Path name = rel.getFileName();
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
}
