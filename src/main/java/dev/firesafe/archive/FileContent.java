package dev.firesafe.archive;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Reads one regular file the way an archive stores it. Live systems change under a backup: a file that vanishes
 * before it is opened is skipped; one that shrinks while read is padded with zeros to the size its tar header
 * announced (tar cannot shrink an entry after its header); one that grows is cut at that size. Each case is a
 * warning, the backup goes on. The reading, hashing and change checks all happen on the caller's thread, so a
 * backup can run them ahead of the thread that writes the tar stream.
 */
public final class FileContent {

    /** Where the content goes: the archive writer itself, or a queue to the thread that writes the archive. */
    public interface Sink {
        /** A buffer for the next piece of content; it belongs to the sink again once passed to {@link #fileData}. */
        byte[] buffer() throws IOException;

        void beginFile(String name, FileMeta meta) throws IOException;

        void fileData(byte[] buffer, int length) throws IOException;

        void endFile(String name, FileMeta meta, String sha256Hex) throws IOException;

        void warn(String name, String problem) throws IOException;
    }

    private static final String REPLACED = "is no longer a regular file (replaced by a folder, link or special "
            + "file since the walk saw it); not stored";

    private FileContent() {
    }

    /** Reads {@code path}, which the walk saw as {@code meta}, into {@code sink}, hashing with {@code sha256}. */
    public static void read(String name, Path path, FileMeta meta, MessageDigest sha256, Sink sink)
            throws IOException {
        InputStream in;
        try {
            // The walk saw a regular file; what is there now may have been swapped since. Never through a link
            // (it would carry a file from outside the source into the archive under this name, with this mode),
            // never a folder (reading it fails the whole backup) or a pipe (opening it waits for a writer).
            if (!Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isRegularFile()) {
                sink.warn(name, REPLACED);
                return;
            }
            in = Files.newInputStream(path, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            sink.warn(name, "vanished before it could be read; not stored");
            return;
        } catch (AccessDeniedException e) {
            sink.warn(name, Manifest.Warning.missing("permission denied"));
            return;
        } catch (FileSystemException e) {
            if (!Files.isSymbolicLink(path)) {
                throw e;
            }
            sink.warn(name, REPLACED); // swapped for a link between the look and the open: refused (ELOOP)
            return;
        }
        try (in) {
            sink.beginFile(name, meta);
            sha256.reset();
            long remaining = meta.size();
            while (remaining > 0) {
                byte[] buffer = sink.buffer();
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, remaining));
                if (n < 0) {
                    sink.warn(name, "shrank while being read: " + remaining + " missing bytes stored as zeros");
                    padWithZeros(remaining, buffer, sha256, sink);
                    break;
                }
                sha256.update(buffer, 0, n);
                sink.fileData(buffer, n);
                remaining -= n;
            }
        }
        noteChangesDuringRead(name, path, meta, sink);
        sink.endFile(name, meta, HexFormat.of().formatHex(sha256.digest()));
    }

    private static void padWithZeros(long count, byte[] buffer, MessageDigest sha256, Sink sink)
            throws IOException {
        while (count > 0) {
            Arrays.fill(buffer, (byte) 0);
            int n = (int) Math.min(buffer.length, count);
            sha256.update(buffer, 0, n);
            sink.fileData(buffer, n);
            count -= n;
            if (count > 0) {
                buffer = sink.buffer();
            }
        }
    }

    private static void noteChangesDuringRead(String name, Path path, FileMeta before, Sink sink)
            throws IOException {
        BasicFileAttributes after;
        try {
            after = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            sink.warn(name, "vanished while being read; stored as read");
            return;
        }
        if (after.size() != before.size() || !after.lastModifiedTime().equals(before.mtime())) {
            sink.warn(name, "changed while being read; the stored copy may mix old and new content");
        }
    }
}
