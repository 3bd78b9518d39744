package dev.firesafe.archive;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * Writes entries into a POSIX (PAX) tar stream and records each in the {@link Manifest}, which it appends as the
 * last entry on {@link #finish}. How files that change while read are stored, and warned about, is
 * {@link FileContent}'s part.
 */
public final class ArchiveWriter implements Closeable, FileContent.Sink, EntryWriter {

    private static final int FILE_TYPE = 0100000;
    private static final int DIR_TYPE = 040000;
    private static final int LINK_TYPE = 0120000;

    /**
     * Tar needs each entry's size in its header, a command's output has no size until it ends, and nothing
     * unencrypted may touch the disk: so a stream is held in memory up to this many bytes at a time and written
     * as one part entry per chunk. 16 MiB keeps a writer's extra heap bounded (one buffer, allocated on the first
     * stream) while a 10 GiB dump is still only 640 parts.
     */
    public static final int STREAM_PART_SIZE = 16 << 20;
    /** PAX header keys marking a part entry, so a reader knows before the manifest which logical file it is. */
    public static final String PAX_STREAM = "FIRESAFE.stream";
    public static final String PAX_PART = "FIRESAFE.part";
    /**
     * PAX header keys with the exact bytes (base64) of an entry's name or link target where those are not UTF-8:
     * the tar name and the manifest show them spelled out ({@link FileNames}), restore makes these bytes.
     */
    public static final String PAX_NAME_BYTES = "FIRESAFE.name-bytes";
    public static final String PAX_LINK_BYTES = "FIRESAFE.link-bytes";

    private final TarArchiveOutputStream tar;
    private final int streamPartSize;
    private byte[] partBuffer;
    private final Manifest manifest;
    private final Map<String, byte[]> nameBytes = new HashMap<>();
    private final Map<String, byte[]> linkBytes = new HashMap<>();
    private byte[] readBuffer;
    private static final int READ_BUFFER = 256 * 1024;
    private final MessageDigest sha256;
    private final AtomicLong bytesRead = new AtomicLong();
    private final LongConsumer onBytesRead;

    /** @param onBytesRead told the running total of content bytes read, for progress displays */
    public ArchiveWriter(OutputStream out, Manifest manifest, LongConsumer onBytesRead) {
        this(out, manifest, onBytesRead, STREAM_PART_SIZE);
    }

    /** @param streamPartSize bytes per part entry of a {@link #stream}; tests use small ones to get many parts */
    public ArchiveWriter(OutputStream out, Manifest manifest, LongConsumer onBytesRead, int streamPartSize) {
        if (streamPartSize <= 0) {
            throw new IllegalArgumentException("stream part size must be positive");
        }
        this.streamPartSize = streamPartSize;
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

    /** The exact bytes behind the next entry called {@code name} (see {@link #PAX_NAME_BYTES}); null: none. */
    public void exactBytes(String name, byte[] path, byte[] linkTarget) {
        if (path != null) {
            nameBytes.put(name, path);
        }
        if (linkTarget != null) {
            linkBytes.put(name, linkTarget);
        }
    }

    private void addExactBytes(TarArchiveEntry e, String name) {
        byte[] path = nameBytes.remove(name);
        if (path != null) {
            e.addPaxHeader(PAX_NAME_BYTES, Base64.getEncoder().encodeToString(path));
        }
        byte[] link = linkBytes.remove(name);
        if (link != null) {
            e.addPaxHeader(PAX_LINK_BYTES, Base64.getEncoder().encodeToString(link));
        }
    }

    public void directory(String name, FileMeta meta) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name + "/", TarConstants.LF_DIR);
        describe(e, meta, DIR_TYPE);
        addExactBytes(e, name);
        tar.putArchiveEntry(e);
        tar.closeArchiveEntry();
        manifest.entries.add(new Manifest.Entry(name, Manifest.Entry.DIR, null, octal(meta.mode()),
                meta.mtime().toInstant().toString(), null, null));
    }

    public void symlink(String name, String linkTarget, FileMeta meta) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
        describe(e, meta, LINK_TYPE);
        addExactBytes(e, name);
        e.setLinkName(linkTarget);
        tar.putArchiveEntry(e);
        tar.closeArchiveEntry();
        manifest.entries.add(new Manifest.Entry(name, Manifest.Entry.SYMLINK, null, null,
                meta.mtime().toInstant().toString(), null, linkTarget));
    }

    /**
     * Stores the regular file at {@code path} (read here, on the caller's thread); {@code meta} is what the walk
     * saw, its size goes in the header. A backup reads files on another thread and hands them over through
     * {@link #beginFile}, {@link #fileData} and {@link #endFile} instead.
     */
    public void file(String name, Path path, FileMeta meta) throws IOException {
        FileContent.read(name, path, meta, sha256, this);
    }

    /** The buffer {@link #file} reads into, allocated on first use: a backup's files arrive already read. */
    @Override
    public byte[] buffer() {
        if (readBuffer == null) {
            readBuffer = new byte[READ_BUFFER];
        }
        return readBuffer;
    }

    /** Opens the entry of a regular file of {@code meta.size()} bytes, which {@link #fileData} then writes. */
    @Override
    public void beginFile(String name, FileMeta meta) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_NORMAL);
        describe(e, meta, FILE_TYPE);
        addExactBytes(e, name);
        e.setSize(meta.size());
        tar.putArchiveEntry(e);
    }

    @Override
    public void fileData(byte[] buffer, int length) throws IOException {
        tar.write(buffer, 0, length);
        onBytesRead.accept(bytesRead.addAndGet(length));
    }

    /** Closes the entry {@link #beginFile} opened and lists it in the manifest with its content's hash. */
    @Override
    public void endFile(String name, FileMeta meta, String sha256Hex) throws IOException {
        tar.closeArchiveEntry();
        manifest.entries.add(new Manifest.Entry(name, Manifest.Entry.FILE, meta.size(), octal(meta.mode()),
                meta.mtime().toInstant().toString(), sha256Hex, null));
        manifest.files++;
        manifest.bytes += meta.size();
    }

    /** The tar entry name of part {@code index} (from 1) of the stream {@code name}. */
    public static String partName(String name, int index) {
        return String.format("%s.part%06d", name, index);
    }

    /**
     * Stores everything {@code in} yields until its end as one logical file {@code name} of unknown length: read in
     * parts of at most {@link #STREAM_PART_SIZE} bytes held in memory, each written as the tar entry
     * {@link #partName}, all hashed together. {@code cat NAME.part*} reassembles it without Firesafe. An empty
     * stream is one empty part, so the entry still exists. Returns the stream's size.
     */
    public long stream(String name, InputStream in, int mode, Instant mtime) throws IOException {
        if (partBuffer == null) {
            partBuffer = new byte[streamPartSize];
        }
        sha256.reset();
        long total = 0;
        int parts = 0;
        boolean ended = false;
        while (!ended) {
            int filled = 0;
            while (filled < partBuffer.length) {
                int n = in.read(partBuffer, filled, partBuffer.length - filled);
                if (n < 0) {
                    ended = true;
                    break;
                }
                filled += n;
            }
            if (filled == 0 && ended && parts > 0) {
                break;
            }
            parts++;
            TarArchiveEntry e = new TarArchiveEntry(partName(name, parts), TarConstants.LF_NORMAL);
            e.setMode(FILE_TYPE | (mode & 07777));
            e.setModTime(FileTime.from(mtime));
            e.setSize(filled);
            e.addPaxHeader(PAX_STREAM, name);
            e.addPaxHeader(PAX_PART, Integer.toString(parts));
            tar.putArchiveEntry(e);
            tar.write(partBuffer, 0, filled);
            tar.closeArchiveEntry();
            sha256.update(partBuffer, 0, filled);
            total += filled;
            onBytesRead.accept(bytesRead.addAndGet(filled));
        }
        manifest.entries.add(new Manifest.Entry(name, Manifest.Entry.STREAM, total, octal(mode), mtime.toString(),
                HexFormat.of().formatHex(sha256.digest()), null, parts));
        manifest.files++;
        manifest.bytes += total;
        return total;
    }

    /** A warning found by whoever walks the sources (special files, unreadable folders). */
    @Override
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

    /** Permission bits as four octal digits ("0644"); not String.format, which parses its pattern per entry. */
    static String octal(int mode) {
        String digits = Integer.toOctalString(mode & 07777);
        return "0000".substring(digits.length()) + digits;
    }
}
