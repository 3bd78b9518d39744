package dev.firesafe.engine.restore;

import dev.firesafe.core.FiresafeException;
import dev.firesafe.archive.FileNames;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes entries under a destination folder and nowhere else.
 *
 * <p>Two rules keep a crafted archive inside: no path may pass through a symbolic link (checked component by
 * component, whether the link came from the archive or was already there under {@code --force}), and symbolic
 * links from the archive are created only after every file is written, so no entry can be aimed through one.
 * Files and folders are created owner-only and get their recorded modes at the end, so a read-only folder in the
 * archive cannot block writing its own contents. A file-system failure (disk full, read-only) surfaces as a
 * {@link DestinationIOException}, never as a problem of the backup.
 */
final class Extractor implements EntryHandler {

    private record Pending(Path path, int mode, FileTime mtime, Path linkTarget) {
    }

    /** A file whose recorded mode has the setuid or setgid bit, and the owner and group those bits were for. */
    private record RunAs(String name, Path path, int mode, long uid, long gid) {
    }

    private final Path dest;
    private final boolean force;
    private final Set<Path> safeDirs = new HashSet<>();
    private final List<Pending> dirs = new ArrayList<>();
    private final List<Pending> links = new ArrayList<>();
    private final FileWriterThread writer;
    /** The note that this restore has not finished (null: none), which makes way for an entry of its name. */
    private final IncompleteRestore note;
    /** Exact bytes of names and link targets the archive shows spelled out (not UTF-8); few, if any. */
    private final Map<String, byte[]> exactNames = new HashMap<>();
    private final Map<String, byte[]> exactLinks = new HashMap<>();
    private final Map<String, long[]> recordedOwners = new HashMap<>();
    private final List<RunAs> runAs = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();
    private long foldersWritten;

    Extractor(Path dest, boolean force, boolean sparse, IncompleteRestore note) throws IOException {
        this(dest, force, note, new FileWriterThread(sparse));
    }

    Extractor(Path dest, boolean force, IncompleteRestore note, FileWriterThread writer) throws IOException {
        this.dest = dest.toRealPath();
        this.force = force;
        this.note = note;
        this.writer = writer;
        safeDirs.add(this.dest);
    }

    @Override
    public void exactBytes(String name, byte[] path, byte[] linkTarget) {
        if (path != null) {
            exactNames.put(name, path);
        }
        if (linkTarget != null) {
            exactLinks.put(name, linkTarget);
        }
    }

    @Override
    public void recordedOwner(String name, long uid, long gid) {
        recordedOwners.put(name, new long[] {uid, gid});
    }

    @Override
    public List<String> warnings() {
        return warnings;
    }

    @Override
    public void directory(String name, int mode, FileTime mtime) throws IOException {
        Path dir = resolve(name);
        ensureDirectory(dir);
        foldersWritten++;
        dirs.add(new Pending(dir, mode, mtime, null));
    }

    @Override
    public void symlink(String name, String linkTarget, FileTime mtime) throws IOException {
        Path link = resolve(name);
        ensureDirectory(link.getParent());
        byte[] exact = exactLinks.remove(name);
        links.add(new Pending(link, 0, mtime, exact != null ? FileNames.path(exact) : FileNames.path(linkTarget)));
    }

    @Override
    public OutputStream file(String name, long size, int mode, FileTime mtime) throws IOException {
        Path file = resolve(name);
        ensureDirectory(file.getParent());
        // without --force the destination started empty and the reader refuses duplicate entries
        if (force && Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            if (!Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
                return writer.replace(file); // the old file stays until the new one is written (issue #18)
            }
            clearForReplacement(file); // an empty folder goes; a full one is refused
        }
        return writer.create(file);
    }

    /**
     * Folders and files on disk so far (links are made only at the end, once every file is written): a file counts
     * once its writer closed it, not when it was handed over (issue #18: discarded ones were counted).
     */
    long entriesWritten() {
        return foldersWritten + writer.filesWritten();
    }

    @Override
    public void fileDone(String name, int mode, FileTime mtime) throws IOException {
        Path file = resolve(name);
        long[] owner = recordedOwners.remove(name);
        if (owner != null) { // setuid/setgid: given at the end, once the file's owner can be compared
            runAs.add(new RunAs(name, file, mode, owner[0], owner[1]));
            mode &= ~06000;
        }
        writer.attributes(file, mode, mtime);
    }

    @Override
    public void abort() {
        writer.abort();
    }

    @Override
    public void finish() throws IOException {
        writer.drain(); // every file is on disk before links appear: nothing can be written through one
        try {
            setuidAndSetgid(); // before folders get their modes: a folder of mode 000 would keep us out
            linksAndFolderAttributes();
        } catch (IOException e) {
            throw DestinationIOException.of(e);
        }
    }

    /**
     * Owners are not restored: a restored file belongs to whoever restores. A setuid or setgid bit means "run as
     * this file's owner (group)", so it is given back only where that is still the owner (group) the backup
     * recorded; else a setuid program of some user, restored by root, would run as root. A dropped bit is warned.
     */
    private void setuidAndSetgid() throws IOException {
        for (RunAs f : runAs) {
            int uid = (Integer) Files.getAttribute(f.path, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            int gid = (Integer) Files.getAttribute(f.path, "unix:gid", LinkOption.NOFOLLOW_LINKS);
            int mode = f.mode;
            List<String> dropped = new ArrayList<>();
            if ((mode & 04000) != 0 && uid != f.uid) {
                mode &= ~04000;
                dropped.add("setuid (owner " + f.uid + ")");
            }
            if ((mode & 02000) != 0 && gid != f.gid) {
                mode &= ~02000;
                dropped.add("setgid (group " + f.gid + ")");
            }
            Files.setAttribute(f.path, "unix:mode", mode);
            if (!dropped.isEmpty()) {
                warnings.add(f.name + ": restored without its " + String.join(" and ", dropped)
                        + " bit: this restore made it owner " + uid + ", group " + gid
                        + " (owners are not restored); set it again by hand once the owner is right");
            }
        }
    }

    private void linksAndFolderAttributes() throws IOException {
        for (Pending l : links) {
            ensureDirectory(l.path.getParent());
            if (force && Files.exists(l.path, LinkOption.NOFOLLOW_LINKS)
                    && !Files.isDirectory(l.path, LinkOption.NOFOLLOW_LINKS)) {
                // as for files: made beside it, then renamed over it, so the old one stays until the new one is there
                Path temporary = FileWriterThread.temporarySibling(l.path);
                Files.createSymbolicLink(temporary, l.linkTarget);
                Files.move(temporary, l.path, StandardCopyOption.ATOMIC_MOVE);
            } else {
                if (force) {
                    clearForReplacement(l.path);
                }
                Files.createSymbolicLink(l.path, l.linkTarget);
            }
            setTimesNoFollow(l.path, l.mtime);
        }
        dirs.sort(Comparator.comparingInt((Pending p) -> p.path.getNameCount()).reversed());
        for (Pending d : dirs) {
            FileTimes.set(d.path, d.mtime); // before the mode: setting it opens the folder, which 000 forbids
            Files.setAttribute(d.path, "unix:mode", d.mode); // all twelve bits: setgid and sticky folders too
        }
    }

    private Path resolve(String name) throws IOException {
        byte[] exact = exactNames.get(name);
        Path p = (exact != null ? dest.resolve(FileNames.path(exact)) : FileNames.resolve(dest, name)).normalize();
        if (!p.startsWith(dest) || p.equals(dest)) {
            throw FiresafeException.integrity("unsafe entry '" + ArchivePaths.printable(name)
                    + "': it would be written outside " + dest);
        }
        if (note != null && p.getNameCount() == dest.getNameCount() + 1) {
            try {
                note.beforeEntry(p);
            } catch (IOException e) {
                throw DestinationIOException.of(e);
            }
        }
        return p;
    }

    /**
     * Creates {@code dir} and its parents below dest, refusing any component that is a symbolic link. A loop, not
     * recursion: this runs for every entry, and the JIT compiles a recursive version into a large, slow-to-build
     * method (measured: 0.16 s of compiler time late in a 1 GiB restore).
     */
    private void ensureDirectory(Path dir) throws DestinationIOException {
        if (safeDirs.contains(dir)) {
            return;
        }
        Deque<Path> missing = new ArrayDeque<>();
        for (Path d = dir; !safeDirs.contains(d); d = d.getParent()) {
            missing.push(d); // dest itself is in safeDirs, so this stops at or below it
        }
        while (!missing.isEmpty()) {
            makeSafeDirectory(missing.pop());
        }
    }

    /** {@code dir}'s parent is a safe folder: make {@code dir} one too (never through a symbolic link). */
    private void makeSafeDirectory(Path dir) throws DestinationIOException {
        if (Files.isSymbolicLink(dir)) {
            throw FiresafeException.integrity("unsafe archive: '" + dest.relativize(dir)
                    + "' is a symbolic link and an entry would be written through it");
        }
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                clearForReplacement(dir);
            }
            try {
                Files.createDirectory(dir);
                Files.setPosixFilePermissions(dir, EnumSet.of(PosixFilePermission.OWNER_READ,
                        PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE));
            } catch (IOException e) {
                throw DestinationIOException.of(e);
            }
        }
        safeDirs.add(dir);
    }

    /** With --force an existing file or link at {@code p} is removed (never followed); without, it is an error. */
    private void clearForReplacement(Path p) throws DestinationIOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!force) {
            throw FiresafeException.usage(p + " exists: restore into an empty folder, or add --force");
        }
        try {
            Files.delete(p);
        } catch (DirectoryNotEmptyException e) {
            throw FiresafeException.usage(p + " is a non-empty folder where the backup has a file");
        } catch (IOException e) {
            throw DestinationIOException.of(e);
        }
    }

    private static void setTimesNoFollow(Path p, FileTime mtime) {
        try {
            FileTimes.setNoFollow(p, mtime);
        } catch (IOException | UnsupportedOperationException e) {
            // link times are cosmetic; some file systems cannot set them
        }
    }
}
