package dev.firesafe.archive;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * Writes entries into a POSIX (PAX) tar stream and records each in the {@link Manifest}, which it appends as the
 * last entry on {@link #finish}. File contents are hashed as they are copied, once, from a reused buffer.
 *
 * <p>Live systems change under a backup. A file that vanishes before it is opened is skipped; one that shrinks
 * while read is padded to the size its tar header announced (tar cannot shrink an entry after its header); one
 * that grows is cut at that size. Each case is a {@link Manifest.Warning}, the backup goes on.
 */
public final class ArchiveWriter implements Closeable {

    private static final int FILE_TYPE = 0100000;
    private static final int DIR_TYPE = 040000;
    private static final int LINK_TYPE = 0120000;

    private final TarArchiveOutputStream tar;
    private final Manifest manifest;
    private final byte[] buffer = new byte[1 << 20];
    private final MessageDigest sha256;
    private final AtomicLong bytesRead = new AtomicLong();
    private final LongConsumer onBytesRead;

    /** @param onBytesRead told the running total of content bytes read, for progress displays */
    public ArchiveWriter(OutputStream out, Manifest manifest, LongConsumer onBytesRead) {
        this.onBytesRead = onBytesRead;
        this.tar = new TarArchiveOutputStream(out, StandardCharsets.UTF_8.name());
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        tar.setAddPaxHeadersForNonAsciiNames(true);
        this.manifest = manifest;
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Bytes of file content read so far, for progress reports from another thread. */
    public long bytesRead() {
        return bytesRead.get();
    }

    public void directory(String name, FileMeta meta) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name + "/", TarConstants.LF_DIR);
        describe(e, meta, DIR_TYPE);
        tar.putArchiveEntry(e);
        tar.closeArchiveEntry();
        manifest.entries.add(new Manifest.Entry(name, Manifest.Entry.DIR, null, octal(meta.mode()),
                meta.mtime().toInstant().toString(), null, null));
    }

    public void symlink(String name, String linkTarget, FileMeta meta) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
        describe(e, meta, LINK_TYPE);
        e.setLinkName(linkTarget);
        tar.putArchiveEntry(e);
        tar.closeArchiveEntry();
        manifest.entries.add(new Manifest.Entry(name, Manifest.Entry.SYMLINK, null, null,
                meta.mtime().toInstant().toString(), null, linkTarget));
    }

    /** Stores the regular file at {@code path}; {@code meta} is what the walk saw, its size goes in the header. */
    public void file(String name, Path path, FileMeta meta) throws IOException {
        InputStream in;
        try {
            in = Files.newInputStream(path);
        } catch (NoSuchFileException e) {
            manifest.warnings.add(new Manifest.Warning(name, "vanished before it could be read; not stored"));
            return;
        } catch (AccessDeniedException e) {
            manifest.warnings.add(new Manifest.Warning(name, "permission denied; not stored"));
            return;
        }
        try (in) {
            TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_NORMAL);
            describe(e, meta, FILE_TYPE);
            e.setSize(meta.size());
            tar.putArchiveEntry(e);
            sha256.reset();
            long remaining = meta.size();
            while (remaining > 0) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, remaining));
                if (n < 0) {
                    manifest.warnings.add(new Manifest.Warning(name, "shrank while being read: "
                            + remaining + " missing bytes stored as zeros"));
                    padWithZeros(remaining);
                    break;
                }
                sha256.update(buffer, 0, n);
                tar.write(buffer, 0, n);
                onBytesRead.accept(bytesRead.addAndGet(n));
                remaining -= n;
            }
            tar.closeArchiveEntry();
        }
        noteChangesDuringRead(name, path, meta);
        manifest.entries.add(new Manifest.Entry(name, Manifest.Entry.FILE, meta.size(), octal(meta.mode()),
                meta.mtime().toInstant().toString(), HexFormat.of().formatHex(sha256.digest()), null));
        manifest.files++;
        manifest.bytes += meta.size();
    }

    private void padWithZeros(long count) throws IOException {
        Arrays.fill(buffer, (byte) 0);
        while (count > 0) {
            int n = (int) Math.min(buffer.length, count);
            sha256.update(buffer, 0, n);
            tar.write(buffer, 0, n);
            count -= n;
        }
    }

    private void noteChangesDuringRead(String name, Path path, FileMeta before) {
        try {
            BasicFileAttributes after = Files.readAttributes(path, BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            if (after.size() != before.size() || !after.lastModifiedTime().equals(before.mtime())) {
                manifest.warnings.add(new Manifest.Warning(name, "changed while being read; the stored copy may"
                        + " mix old and new content"));
            }
        } catch (IOException e) {
            manifest.warnings.add(new Manifest.Warning(name, "vanished while being read; stored as read"));
        }
    }

    /** A warning found by whoever walks the sources (special files, unreadable folders). */
    public void warn(String name, String problem) {
        manifest.warnings.add(new Manifest.Warning(name, problem));
    }

    /** Appends the manifest as the last entry and ends the tar stream; the caller closes the sink. */
    public Manifest finish(Instant finished) throws IOException {
        manifest.finished = finished.toString();
        byte[] json = manifest.toJson();
        TarArchiveEntry e = new TarArchiveEntry(Manifest.ENTRY_NAME, TarConstants.LF_NORMAL);
        e.setSize(json.length);
        e.setMode(FILE_TYPE | 0600);
        e.setModTime(FileTime.from(finished));
        tar.putArchiveEntry(e);
        tar.write(json);
        tar.closeArchiveEntry();
        tar.finish();
        return manifest;
    }

    @Override
    public void close() throws IOException {
        tar.close();
    }

    private static void describe(TarArchiveEntry e, FileMeta meta, int type) {
        e.setMode(type | (meta.mode() & 07777));
        e.setLastModifiedTime(meta.mtime());
        e.setUserId(meta.uid());
        e.setGroupId(meta.gid());
    }

    static String octal(int mode) {
        return String.format("%04o", mode & 07777);
    }
}
