package dev.firesafe.source;

import dev.firesafe.core.FiresafeException;
import dev.firesafe.archive.FileMeta;
import dev.firesafe.archive.FileNames;
import dev.firesafe.archive.Manifest;
import dev.firesafe.plan.SourceSpec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
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
        new Walk(root, label, new Globs(spec.include()), new Globs(spec.exclude())).run();
    }

    /**
     * One walk, folders before what they hold, each folder's entries in the order the file system lists them:
     * the order and the failure rules of {@code Files.walkFileTree} (a folder that cannot be opened or an entry
     * that cannot be read is warned about and left out; a folder that fails while being listed fails the walk),
     * with one {@code lstat} per entry where walkFileTree and the unix attributes took two: a third of an
     * unchanged backup's walk (docs/benchmarks.md, "Unchanged backups"). Open folders are kept on a stack, not in
     * recursion, so a deep tree cannot overflow the thread's stack.
     */
    private final class Walk {
        private final Path root;
        private final Globs includes;
        private final Globs excludes;
        private final EntryNames names;
        private final Deque<DirectoryStream<Path>> open = new ArrayDeque<>();
        private final Deque<Iterator<Path>> listing = new ArrayDeque<>();

        Walk(Path root, String label, Globs includes, Globs excludes) {
            this.root = root;
            this.includes = includes;
            this.excludes = excludes;
            this.names = new EntryNames(label);
        }

        void run() throws IOException {
            Stat rootStat;
            try {
                rootStat = stat(root);
            } catch (IOException e) {
                failed(root, e); // gone since it was checked
                return;
            }
            if (!rootStat.isDirectory()) {
                sink.file(names.label, root, rootStat.meta()); // a source that is one file
                return;
            }
            try {
                directory(root, rootStat);
                while (!listing.isEmpty()) {
                    Path next;
                    try {
                        next = listing.peek().hasNext() ? listing.peek().next() : null;
                    } catch (DirectoryIteratorException e) {
                        throw e.getCause();
                    }
                    if (next == null) {
                        listing.pop();
                        open.pop().close();
                    } else {
                        entry(next);
                    }
                }
            } finally {
                for (DirectoryStream<Path> stream : open) {
                    stream.close();
                }
            }
        }

        private void entry(Path path) throws IOException {
            Stat stat;
            try {
                stat = stat(path);
            } catch (IOException e) {
                failed(path, e);
                return;
            }
            if (stat.isDirectory()) {
                directory(path, stat);
            } else {
                file(path, stat);
            }
        }

        /** Opened first, as walkFileTree does: a folder that cannot be opened is reported, not announced. */
        private void directory(Path dir, Stat stat) throws IOException {
            DirectoryStream<Path> stream;
            try {
                stream = Files.newDirectoryStream(dir);
            } catch (IOException e) {
                failed(dir, e);
                return;
            }
            boolean enter = false;
            try {
                enter = enters(dir, stat);
            } finally {
                if (!enter) {
                    stream.close();
                }
            }
            if (enter) {
                open.push(stream);
                listing.push(stream.iterator());
            }
        }

        private boolean enters(Path dir, Stat stat) throws IOException {
            Path rel = root.relativize(dir);
            if (!dir.equals(root) && excludes.matches(rel, true)) {
                return false;
            }
            String name = names.of(rel);
            if (name == null) {
                return false;
            }
            if (skipRoots.contains(dir)) {
                sink.warn(name, "is a backup target inside the source; not stored");
                return false;
            }
            if (includes.isEmpty()) {
                sink.directory(name, stat.meta());
            }
            return true;
        }

        private void file(Path file, Stat stat) throws IOException {
            Path rel = root.relativize(file);
            if (excludes.matches(rel, false) || (!includes.isEmpty() && !includes.matches(rel, false))) {
                return;
            }
            String name = names.of(rel);
            if (name == null) {
                return;
            }
            if (stat.isSymbolicLink()) {
                Path targetPath = Files.readSymbolicLink(file);
                FileNames.Name target = FileNames.text(targetPath);
                if (!target.exact()) {
                    sink.warn(name, "is a link whose target is not valid UTF-8; it is shown with its bad bytes as "
                            + "\uFFFD and their hex digits, and restored exactly");
                    sink.exactBytes(name, null, FileNames.bytes(targetPath));
                }
                sink.symlink(name, target.text(), stat.meta());
            } else if (stat.isRegularFile()) {
                sink.file(name, file, stat.meta());
            } else {
                sink.warn(name, "is a socket, pipe or device; not stored");
            }
        }

        private void failed(Path file, IOException e) throws IOException {
            String name = names.of(root.relativize(file));
            if (name == null) {
                return;
            }
            if (e instanceof NoSuchFileException) {
                sink.warn(name, "vanished before it could be read; not stored");
            } else {
                sink.warn(name, Manifest.Warning.missing("cannot be read (" + e.getClass().getSimpleName() + ")"));
            }
        }
    }

    /**
     * Archive names for the paths of one walk: {@code label/relative/path} as UTF-8 text, whatever the locale
     * ({@link FileNames}). A name whose bytes are not valid UTF-8 is stored with its bad bytes spelled out, and
     * the walk says so. Should a spelled-out name meet one already stored, the later entry is left out with a
     * warning: an archive that holds a name twice cannot be restored.
     */
    private final class EntryNames {
        final String label;
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

    /** What one {@code lstat} tells of an entry: its type ({@code S_IFMT} bits of the mode) and its metadata. */
    private record Stat(int type, FileMeta meta) {
        private static final int S_IFMT = 0170000;
        private static final int S_IFDIR = 0040000;
        private static final int S_IFREG = 0100000;
        private static final int S_IFLNK = 0120000;

        boolean isDirectory() {
            return type == S_IFDIR;
        }

        boolean isRegularFile() {
            return type == S_IFREG;
        }

        boolean isSymbolicLink() {
            return type == S_IFLNK;
        }
    }

    private static final String UNIX_ATTRIBUTES = "unix:size,lastModifiedTime,mode,uid,gid,ctime,ino,dev";

    /** The entry at {@code p} itself (a link is not followed). */
    private static Stat stat(Path p) throws IOException {
        Map<String, Object> unix;
        try {
            unix = Files.readAttributes(p, UNIX_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            return basicStat(p); // a file system without unix attributes: type, size and mtime only
        }
        int mode = ((Number) unix.get("mode")).intValue();
        Object ctime = unix.get("ctime");
        return new Stat(mode & Stat.S_IFMT, new FileMeta(((Number) unix.get("size")).longValue(), mode & 07777,
                (FileTime) unix.get("lastModifiedTime"), ((Number) unix.get("uid")).longValue(),
                ((Number) unix.get("gid")).longValue(), ctime instanceof FileTime c ? nanos(c) : 0,
                number(unix.get("ino")), number(unix.get("dev"))));
    }

    private static Stat basicStat(Path p) throws IOException {
        BasicFileAttributes attrs = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        int type = attrs.isDirectory() ? Stat.S_IFDIR : attrs.isRegularFile() ? Stat.S_IFREG
                : attrs.isSymbolicLink() ? Stat.S_IFLNK : 0;
        return new Stat(type, new FileMeta(attrs.size(), attrs.isDirectory() ? 0755 : 0644, attrs.lastModifiedTime(),
                0, 0));
    }

    private static long nanos(FileTime t) {
        java.time.Instant i = t.toInstant();
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

    private static long number(Object value) {
        return value instanceof Number n ? n.longValue() : 0;
    }
}
