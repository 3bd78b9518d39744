package dev.firesafe.source;

import dev.firesafe.core.FiresafeException;
import dev.firesafe.archive.FileMeta;
import dev.firesafe.archive.FileNames;
import dev.firesafe.archive.Manifest;
import dev.firesafe.plan.SourceSpec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Walks one source folder (or file) and hands every entry to an {@link EntrySink} under
 * {@code label/relative/path}. Symbolic links are stored as links and never followed, so nothing outside the
 * source gets in. Sockets, pipes and devices are skipped with a warning. Folders listed in {@code skipRoots}
 * (local targets that sit inside a source) are never entered: a backup must not swallow its own output.
 */
public final class SourceWalker {

    /** What the walk finds, in walk order: folders before what they hold. */
    public interface EntrySink {
        void directory(String name, FileMeta meta) throws IOException;

        void symlink(String name, String target, FileMeta meta) throws IOException;

        void file(String name, Path path, FileMeta meta) throws IOException;

        void warn(String name, String problem) throws IOException;

        /**
         * The exact bytes behind the next entry called {@code name} when its name ({@code path}, the whole entry
         * name) or its link target had to be spelled out because they are not UTF-8; null for what did not.
         * Archives keep them, so a restore makes the very same name (see {@code archive.FileNames}).
         */
        default void exactBytes(String name, byte[] path, byte[] linkTarget) throws IOException {
        }
    }

    private final EntrySink sink;
    private final Set<Path> skipRoots;

    public SourceWalker(EntrySink sink, Set<Path> skipRoots) {
        this.sink = sink;
        this.skipRoots = skipRoots;
    }

    /** Fails before anything is written when a source path does not exist or cannot be read. */
    public static Path checkReadable(SourceSpec spec) {
        Path path = spec.path();
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            throw FiresafeException.source("source path " + path + " does not exist");
        }
        if (!Files.isReadable(path)) {
            throw FiresafeException.source("source path " + path + " is not readable by this user");
        }
        try {
            return path.toRealPath();
        } catch (IOException e) {
            throw FiresafeException.source("source path " + path + " cannot be resolved: " + e.getMessage());
        }
    }

    public void walk(SourceSpec spec, String label) throws IOException {
        Path root = checkReadable(spec);
        Globs includes = new Globs(spec.include());
        Globs excludes = new Globs(spec.exclude());
        if (!Files.isDirectory(root)) {
            BasicFileAttributes attrs = Files.readAttributes(root, BasicFileAttributes.class);
            sink.file(label, root, meta(root, attrs));
            return;
        }
        EntryNames names = new EntryNames(label);
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Path rel = root.relativize(dir);
                if (!dir.equals(root) && excludes.matches(rel, true)) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                String name = names.of(rel);
                if (name == null) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                if (skipRoots.contains(dir)) {
                    sink.warn(name, "is a backup target inside the source; not stored");
                    return FileVisitResult.SKIP_SUBTREE;
                }
                if (includes.isEmpty()) {
                    sink.directory(name, meta(dir, attrs));
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Path rel = root.relativize(file);
                if (excludes.matches(rel, false) || (!includes.isEmpty() && !includes.matches(rel, false))) {
                    return FileVisitResult.CONTINUE;
                }
                String name = names.of(rel);
                if (name == null) {
                    return FileVisitResult.CONTINUE;
                }
                if (attrs.isSymbolicLink()) {
                    Path targetPath = Files.readSymbolicLink(file);
                    FileNames.Name target = FileNames.text(targetPath);
                    if (!target.exact()) {
                        sink.warn(name, "is a link whose target is not valid UTF-8; it is shown with its bad bytes as "
                                + "\uFFFD and their hex digits, and restored exactly");
                        sink.exactBytes(name, null, FileNames.bytes(targetPath));
                    }
                    sink.symlink(name, target.text(), meta(file, attrs));
                } else if (attrs.isRegularFile()) {
                    sink.file(name, file, meta(file, attrs));
                } else {
                    sink.warn(name, "is a socket, pipe or device; not stored");
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                String name = names.of(root.relativize(file));
                if (name == null) {
                    return FileVisitResult.CONTINUE;
                }
                if (e instanceof NoSuchFileException) {
                    sink.warn(name, "vanished before it could be read; not stored");
                } else {
                    sink.warn(name, Manifest.Warning.missing("cannot be read (" + e.getClass().getSimpleName()
                            + ")"));
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /**
     * Archive names for the paths of one walk: {@code label/relative/path} as UTF-8 text, whatever the locale
     * ({@link FileNames}). A name whose bytes are not valid UTF-8 is stored with its bad bytes spelled out, and
     * the walk says so. Should a spelled-out name meet one already stored, the later entry is left out with a
     * warning: an archive that holds a name twice cannot be restored.
     */
    private final class EntryNames {
        private final String label;
        private final Set<String> withReplacement = new HashSet<>();

        EntryNames(String label) {
            this.label = label;
        }

        /** The name of the entry at {@code relative} (to the source root), or null when it is left out (warned). */
        String of(Path relative) throws IOException {
            FileNames.Name rel = FileNames.text(relative);
            String name = rel.text().isEmpty() ? label : label + "/" + rel.text();
            if (rel.exact() && !maySpellOut(name)) {
                return name; // a spelled-out name always holds U+FFFD or a "~CRC" cut: no clash is possible
            }
            if (!withReplacement.add(name)) {
                sink.warn(name, Manifest.Warning.missing("has a name that is not valid UTF-8 and, spelled out, "
                        + "clashes with another"));
                return null;
            }
            if (!rel.exact()) {
                sink.warn(name, "has a name that is not valid UTF-8; it is shown with its bad bytes as \uFFFD and "
                        + "their hex digits, and restored exactly");
                byte[] label = (this.label + "/").getBytes(StandardCharsets.UTF_8);
                byte[] raw = FileNames.bytes(relative);
                byte[] path = Arrays.copyOf(label, label.length + raw.length);
                System.arraycopy(raw, 0, path, label.length, raw.length);
                sink.exactBytes(name, path, null);
            }
            return name;
        }
    }

    /**
     * Whether {@code name} could read like a spelled-out name: it holds U+FFFD, or a name ending in '~' and eight
     * hex digits, as one cut to 255 bytes does ({@link FileNames}); such a cut may have dropped every U+FFFD.
     */
    static boolean maySpellOut(String name) {
        if (name.indexOf('\uFFFD') >= 0) {
            return true;
        }
        for (int tilde = name.indexOf('~'); tilde >= 0; tilde = name.indexOf('~', tilde + 1)) {
            int end = tilde + 9;
            if (end <= name.length() && (end == name.length() || name.charAt(end) == '/')
                    && name.substring(tilde + 1, end).chars().allMatch(SourceWalker::upperHex)) {
                return true;
            }
        }
        return false;
    }

    private static boolean upperHex(int c) {
        return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
    }

    private static FileMeta meta(Path p, BasicFileAttributes attrs) throws IOException {
        Map<String, Object> unix;
        try {
            unix = Files.readAttributes(p, "unix:mode,uid,gid,ctime,ino,dev", LinkOption.NOFOLLOW_LINKS);
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            unix = Map.of("mode", attrs.isDirectory() ? 0755 : 0644, "uid", 0, "gid", 0);
        }
        FileTime mtime = attrs.lastModifiedTime();
        Object ctime = unix.get("ctime");
        return new FileMeta(attrs.size(), ((Number) unix.get("mode")).intValue() & 07777, mtime,
                ((Number) unix.get("uid")).longValue(), ((Number) unix.get("gid")).longValue(),
                ctime instanceof FileTime c ? nanos(c) : 0, number(unix.get("ino")), number(unix.get("dev")));
    }

    private static long nanos(FileTime t) {
        java.time.Instant i = t.toInstant();
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

    private static long number(Object value) {
        return value instanceof Number n ? n.longValue() : 0;
    }
}
