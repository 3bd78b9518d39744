package dev.firesafe.engine.restore;

import dev.firesafe.core.FiresafeException;
import dev.firesafe.archive.ArchiveWriter;
import dev.firesafe.archive.FileNames;
import dev.firesafe.archive.Manifest;
import dev.firesafe.io.Streams;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * Streams a plaintext tar archive through an {@link EntryHandler}, hashing every file as it passes, then checks
 * what it saw against the manifest at the end: same files, same SHA-256, nothing more, nothing less. Every entry
 * name is checked by {@link ArchivePaths} before the handler sees it, and by {@link LinkGuard}: no entry may lie
 * under a symbolic link of the same archive. Streamed entries are put back together by {@link StreamParts}, and
 * {@link ManifestCheck} does the final comparison.
 */
final class ArchiveReader {

    /** The outcome: the manifest, and what the archive held. */
    record Report(Manifest manifest, long files, long bytes) {
    }

    private final byte[] buffer = new byte[Streams.STAGE_BUFFER];
    private final MessageDigest sha256 = StreamParts.sha256();
    private final AtomicLong bytes = new AtomicLong();
    private final LongConsumer onBytes;
    private final boolean requireManifest;

    /** Reads a Firesafe archive: a manifest at the end is required and every file is checked against it. */
    ArchiveReader(LongConsumer onBytes) {
        this(onBytes, true);
    }

    /**
     * @param requireManifest false only for archives other tools made (legacy migration): they have no manifest,
     *                        may name entries "./x", and hold the folder itself as "./"; safety checks still apply
     */
    ArchiveReader(LongConsumer onBytes, boolean requireManifest) {
        this.requireManifest = requireManifest;
        this.onBytes = onBytes;
    }

    Report read(InputStream plaintextTar, EntryHandler handler) throws IOException {
        try {
            return readAll(plaintextTar, handler);
        } catch (IOException | RuntimeException | Error e) {
            handler.abort();
            throw e;
        }
    }

    private Report readAll(InputStream plaintextTar, EntryHandler handler) throws IOException {
        Map<String, String> seen = new HashMap<>();
        LinkGuard links = new LinkGuard(parent -> {
            String kind = seen.get(parent);
            return kind != null && !kind.equals(Manifest.Entry.DIR);
        });
        StreamParts streams = new StreamParts(handler, seen, links, this::pump);
        Manifest manifest = null;
        long files = 0;
        TarArchiveInputStream tar = new ReusingTarInputStream(plaintextTar);
        TarArchiveEntry e;
        while ((e = tar.getNextEntry()) != null) {
            if (manifest != null) {
                throw FiresafeException.integrity("archive has entries after its manifest: not made by Firesafe");
            }
            String streamName = requireManifest ? e.getExtraPaxHeader(ArchiveWriter.PAX_STREAM) : null;
            if (streamName != null) {
                files += streams.add(tar, e, streamName);
                continue;
            }
            files += streams.close();
            if (e.getName().equals(Manifest.ENTRY_NAME)) {
                manifest = ManifestCheck.read(tar, e);
                continue;
            }
            String raw = requireManifest ? e.getName() : withoutDotSlash(e.getName());
            if (raw.isEmpty()) {
                continue; // "./", the archived folder itself
            }
            String name = ArchivePaths.check(raw);
            requireNew(seen, name);
            links.check(name, e.isSymbolicLink(), e.isDirectory());
            if (requireManifest) {
                byte[] exactName = exactBytes(e, ArchiveWriter.PAX_NAME_BYTES, name);
                byte[] exactLink = e.isSymbolicLink() ? exactBytes(e, ArchiveWriter.PAX_LINK_BYTES, e.getLinkName())
                        : null;
                if (exactName != null || exactLink != null) {
                    handler.exactBytes(name, exactName, exactLink);
                }
            }
            int mode = e.getMode() & 07777;
            FileTime mtime = e.getLastModifiedTime();
            if (e.isDirectory()) {
                handler.directory(name, mode, mtime);
                seen.put(name, Manifest.Entry.DIR);
            } else if (e.isSymbolicLink()) {
                handler.symlink(name, e.getLinkName(), mtime);
                seen.put(name, ManifestCheck.symlinkKey(e.getLinkName()));
            } else if (e.isCharacterDevice() || e.isBlockDevice() || e.isFIFO()) {
                // a backup skips these with a warning; writing one as an empty file would hide that it is foreign
                throw FiresafeException.integrity("archive entry '" + ArchivePaths.printable(name) + "' is a "
                        + (e.isFIFO() ? "FIFO (named pipe)" : e.isBlockDevice() ? "block device" : "character device")
                        + ": Firesafe never stores devices or FIFOs (a backup skips them with a warning), so this "
                        + "archive is damaged or was not made by Firesafe");
            } else if (e.isFile() && !e.isLink()) {
                if ((mode & 06000) != 0) {
                    handler.recordedOwner(name, e.getLongUserId(), e.getLongGroupId());
                }
                seen.put(name, copy(tar, handler.file(name, e.getSize(), mode, mtime)));
                handler.fileDone(name, mode, mtime);
                files++;
            } else {
                throw FiresafeException.integrity("archive entry '" + ArchivePaths.printable(name)
                        + "' is a hard link, device or other kind Firesafe never writes");
            }
        }
        files += streams.close();
        if (!requireManifest) {
            handler.finish();
            return new Report(null, files, bytes.get());
        }
        if (manifest == null) {
            throw FiresafeException.integrity("archive has no manifest: it is truncated or not made by Firesafe");
        }
        ManifestCheck.compare(manifest, seen);
        handler.finish();
        return new Report(manifest, files, bytes.get());
    }

    /** An archive may hold each name once: a second entry would silently replace the first one's checked content. */
    static void requireNew(Map<String, String> seen, String name) {
        if (seen.containsKey(name)) {
            throw FiresafeException.integrity("archive holds '" + ArchivePaths.printable(name) + "' twice");
        }
    }

    /**
     * The exact bytes an entry carries for its name or link target, or null. They must spell out as the text the
     * archive shows ({@code shown}), which passed every safety check: so they hold the same '/'-separated parts,
     * none of them "." or "..", and no NUL.
     */
    private static byte[] exactBytes(TarArchiveEntry e, String key, String shown) {
        String base64 = e.getExtraPaxHeader(key);
        if (base64 == null) {
            return null;
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException ex) {
            throw FiresafeException.integrity("entry '" + ArchivePaths.printable(e.getName())
                    + "' has damaged exact name bytes");
        }
        for (byte b : bytes) {
            if (b == 0) {
                throw FiresafeException.integrity("entry '" + ArchivePaths.printable(e.getName())
                        + "' has a NUL in its exact name bytes");
            }
        }
        String spelled = FileNames.decode(bytes).text();
        if (!spelled.equals(shown)) {
            throw FiresafeException.integrity("entry '" + ArchivePaths.printable(e.getName())
                    + "': its exact name bytes do not match its name; not made by Firesafe");
        }
        return bytes;
    }

    private static String withoutDotSlash(String name) {
        String n = name;
        while (n.startsWith("./")) {
            n = n.substring(2);
        }
        return n.equals(".") ? "" : n;
    }

    private String copy(InputStream in, OutputStream out) throws IOException {
        sha256.reset();
        try (out) {
            pump(in, sha256, out);
        }
        return HexFormat.of().formatHex(sha256.digest());
    }

    /** The one copy loop every file and stream part goes through: hash, write, count for progress. */
    private long pump(InputStream in, MessageDigest digest, OutputStream out) throws IOException {
        long copied = 0;
        int n;
        while ((n = in.read(buffer)) > 0) {
            digest.update(buffer, 0, n);
            out.write(buffer, 0, n);
            copied += n;
            onBytes.accept(bytes.addAndGet(n));
        }
        return copied;
    }
}
