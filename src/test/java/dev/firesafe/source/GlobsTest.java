package dev.firesafe.source;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The .gitignore-like rules of {@link Globs}, on paths relative to a source root with '/' separators. */
class GlobsTest {

    private static Globs globs(String... patterns) {
        return new Globs(List.of(patterns));
    }

    @Test
    void patternWithoutSlashMatchesTheNameAtAnyDepth() {
        Globs g = globs("*.log");
        assertTrue(g.matches(Path.of("top.log"), false));
        assertTrue(g.matches(Path.of("a/b.log"), false));
        assertTrue(g.matches(Path.of("a/b/c/deep.log"), false));
        assertFalse(g.matches(Path.of("top.logs"), false));
        assertFalse(g.matches(Path.of("a.log.d/notes.txt"), false),
                "only the last name is matched, not a folder on the way");
        assertFalse(g.matches(Path.of("a/b.txt"), false));
    }

    @Test
    void folderPatternExcludesTheFolderItselfAndEverythingBelow() {
        Globs g = globs("cache/**");
        assertTrue(g.matches(Path.of("cache"), true), "the folder itself, so the walk can skip it without entering");
        assertTrue(g.matches(Path.of("cache/x"), false));
        assertTrue(g.matches(Path.of("cache/x/y/z.bin"), false));
        assertFalse(g.matches(Path.of("cache"), false), "a file named 'cache' is not the folder");
        assertFalse(g.matches(Path.of("sub/cache"), true), "a pattern with '/' is anchored at the root");
        assertFalse(g.matches(Path.of("sub/cache/x"), false));
        assertFalse(g.matches(Path.of("cachet/x"), false));
    }

    @Test
    void leadingDoubleStarAlsoMatchesAtTheRoot() {
        Globs g = globs("**/x");
        assertTrue(g.matches(Path.of("x"), false));
        assertTrue(g.matches(Path.of("a/x"), false));
        assertTrue(g.matches(Path.of("a/b/x"), true));
        assertFalse(g.matches(Path.of("xx"), false));
        assertFalse(g.matches(Path.of("a/x/y"), false));
    }

    @Test
    void leadingSlashIsRelativeToTheRoot() {
        Globs g = globs("/abs/style");
        assertTrue(g.matches(Path.of("abs/style"), false));
        assertTrue(g.matches(Path.of("abs/style"), true));
        assertFalse(g.matches(Path.of("other/abs/style"), false));
        assertFalse(g.matches(Path.of("style"), false));
    }

    @Test
    void leadingSlashAnchorsASingleNameToTheRoot() {
        // As in .gitignore, "/build" is the root's build folder only: the slash is what says so.
        Globs g = globs("/build");
        assertTrue(g.matches(Path.of("build"), true));
        assertFalse(g.matches(Path.of("src/build"), true), "'/build' must not match a build folder deeper down");
        assertFalse(g.matches(Path.of("src/main/build"), false));
    }

    @Test
    void anyOfSeveralPatternsMatchesAndNoPatternsMatchNothing() {
        Globs g = globs("*.tmp", "cache/**");
        assertTrue(g.matches(Path.of("a/b.tmp"), false));
        assertTrue(g.matches(Path.of("cache"), true));
        assertFalse(g.matches(Path.of("keep.txt"), false));
        assertTrue(globs().isEmpty());
        assertFalse(globs().matches(Path.of("anything"), false));
    }

    @Test
    void patternsMatchTheNameAsTheArchiveSpellsIt() {
        // "sub/bad\xFF.log": not UTF-8; stored (and listed) as "sub/bad\uFFFDFF.log" (archive.FileNames)
        Path rel = Path.of("/").relativize(Path.of(URI.create("file:///sub/bad%FF.log")));
        assertTrue(globs("sub/bad\uFFFDFF.log").matches(rel, false));
        assertTrue(globs("bad\uFFFDFF.*").matches(rel, false));
        assertTrue(globs("*.log").matches(rel, false));
        assertTrue(globs("sub/**").matches(rel, false));
        assertFalse(globs("sub/bad\uFFFD.log").matches(rel, false), "the JVM's lossy spelling is not the name");
    }
}
