package dev.firesafe.source;

import dev.firesafe.archive.FileMeta;
import dev.firesafe.plan.SourceSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The walk reads each entry with one lstat and keeps its own stack of open folders; what it hands over, and in
 * which order, is what {@code Files.walkFileTree} (its earlier engine, whose order the local cache's file list
 * follows) finds: folders before what they hold, links not followed, excluded folders not entered, and each
 * entry's type, size, mode, times, inode and device as the file system has them.
 */
class SourceWalkerOrderTest {

    @TempDir
    Path tmp;

    @Test
    void theWalkHandsOverWhatWalkFileTreeFindsInItsOrder() throws IOException {
        Path root = Files.createDirectories(tmp.resolve("root"));
        for (int d = 0; d < 6; d++) {
            Path dir = Files.createDirectories(root.resolve("d" + d).resolve("sub" + d % 2).resolve("deep"));
            for (int f = 0; f < 7; f++) {
                Files.writeString(dir.resolve("f" + f), "x".repeat(d * 10 + f));
                Files.writeString(dir.getParent().resolve("g" + f), "y".repeat(f));
            }
        }
        Files.createSymbolicLink(root.resolve("link-to-dir"), root.resolve("d1"));
        Files.createSymbolicLink(root.resolve("d2").resolve("link-to-file"), Path.of("sub0/g1"));
        Files.createDirectories(root.resolve("skipped").resolve("inner"));
        Files.writeString(root.resolve("skipped").resolve("inner").resolve("never"), "z");
        Files.setAttribute(root.resolve("d3").resolve("sub1").resolve("g2"), "unix:mode", 06750);

        List<String> walked = new ArrayList<>();
        new SourceWalker(new Describing(walked), Set.of()).walk(new SourceSpec(root, List.of(), List.of("skipped")),
                "src");

        List<String> expected = new ArrayList<>();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (dir.getFileName().toString().equals("skipped")) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                expected.add("dir " + name(root, dir) + " " + Describing.of(dir));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                expected.add((attrs.isSymbolicLink() ? "link " : "file ") + name(root, file) + " "
                        + Describing.of(file));
                return FileVisitResult.CONTINUE;
            }
        });
        assertEquals(expected, walked);
        assertTrue(walked.size() > 100, walked.size() + " entries");
        assertTrue(walked.stream().anyMatch(w -> w.startsWith("file src/d3/sub1/g2 mode=6750")), "setuid kept");
    }

    @Test
    void socketsAreWarnedAboutTargetsInsideAreNotEnteredAndIncludesPickFiles() throws IOException {
        Path root = Files.createDirectories(tmp.resolve("root"));
        Files.writeString(Files.createDirectories(root.resolve("a/b")).resolve("keep.txt"), "k");
        Files.writeString(root.resolve("a/b/drop.log"), "d");
        Files.writeString(Files.createDirectories(root.resolve("backups/inner")).resolve("x"), "x");
        Path socket = root.resolve("a/control.sock");
        try (var server = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            server.bind(java.net.UnixDomainSocketAddress.of(socket));

            List<String> all = new ArrayList<>();
            new SourceWalker(new Describing(all), Set.of(root.resolve("backups"))).walk(
                    new SourceSpec(root, List.of(), List.of()), "src");
            List<String> kinds = all.stream().map(l -> l.replaceAll(" mode=.*", "")).toList();
            assertEquals(List.of("dir src", "dir src/a", "dir src/a/b", "file src/a/b/drop.log",
                    "file src/a/b/keep.txt", "warn src/a/control.sock: is a socket, pipe or device; not stored",
                    "warn src/backups: is a backup target inside the source; not stored"),
                    kinds.stream().sorted().toList());

            List<String> included = new ArrayList<>();
            new SourceWalker(new Describing(included), Set.of()).walk(
                    new SourceSpec(root, List.of("**/*.txt"), List.of()), "src");
            assertEquals(List.of("file src/a/b/keep.txt"),
                    included.stream().map(l -> l.replaceAll(" mode=.*", "")).toList(),
                    "with includes, only matching files (folders are made on restore)");
        }
    }

    @Test
    void aSourceThatIsOneFileIsHandedOverUnderItsLabel() throws IOException {
        Path file = Files.writeString(tmp.resolve("dump.sql"), "select 1;");
        List<String> walked = new ArrayList<>();
        new SourceWalker(new Describing(walked), Set.of()).walk(new SourceSpec(file, List.of(), List.of()), "db");
        assertEquals(List.of("file db " + Describing.of(file)), walked);
    }

    private static String name(Path root, Path p) {
        String rel = root.relativize(p).toString();
        return rel.isEmpty() ? "src" : "src/" + rel;
    }

    /** Each entry as a line: kind, name and the metadata the walk read. */
    private record Describing(List<String> lines) implements SourceWalker.EntrySink {

        static String of(Path p) throws IOException {
            var unix = Files.readAttributes(p, "unix:size,lastModifiedTime,mode,ctime,ino,dev",
                    java.nio.file.LinkOption.NOFOLLOW_LINKS);
            long size = Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS) ? -1
                    : ((Number) unix.get("size")).longValue();
            return describe(size, ((Number) unix.get("mode")).intValue() & 07777,
                    unix.get("lastModifiedTime").toString(), unix.get("ino") + "/" + unix.get("dev"));
        }

        static String describe(long size, int mode, String mtime, String identity) {
            return "mode=" + Integer.toOctalString(mode) + (size < 0 ? "" : " size=" + size) + " mtime=" + mtime
                    + " id=" + identity;
        }

        private static String of(FileMeta m, boolean dir) {
            return describe(dir ? -1 : m.size(), m.mode(), m.mtime().toString(), m.inode() + "/" + m.device());
        }

        @Override
        public void directory(String name, FileMeta meta) {
            lines.add("dir " + name + " " + of(meta, true));
        }

        @Override
        public void symlink(String name, String target, FileMeta meta) {
            lines.add("link " + name + " " + of(meta, false));
        }

        @Override
        public void file(String name, Path path, FileMeta meta) {
            lines.add("file " + name + " " + of(meta, false));
        }

        @Override
        public void warn(String name, String problem) {
            lines.add("warn " + name + ": " + problem);
        }
    }
}
