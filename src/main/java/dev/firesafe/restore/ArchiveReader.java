package dev.firesafe.restore;

import dev.firesafe.archive.FileNames;
import dev.firesafe.io.Streams;
import dev.firesafe.FiresafeException;
import dev.firesafe.archive.ArchiveWriter;
import dev.firesafe.archive.Manifest;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * Streams a plaintext tar archive through an {@link EntryHandler}, hashing every file as it passes, then checks
 * what it saw against the manifest at the end: same files, same SHA-256, nothing more, nothing less. Every entry
 * name is checked by {@link ArchivePaths} before the handler sees it, and no entry may lie under a symbolic link
 * of the same archive (Firesafe never follows links when it backs up, so only a crafted archive has one).
 */
final class ArchiveReader {

    private static final int MAX_MANIFEST = 256 * 1024 * 1024;

    /** The outcome: the manifest, and what the archive held. */
    record Report(Manifest manifest, long files, long bytes) {
    }

    private final byte[] buffer = new byte[Streams.STAGE_BUFFER];
    private final MessageDigest sha256;
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
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A streamed entry being reassembled from its consecutive part entries. */
    private static final class OpenStream {
        final String name;
        final OutputStream out;
        final MessageDigest sha256;
        final int mode;
        final FileTime mtime;
        long size;
        int parts;

        OpenStream(String name, OutputStream out, int mode, FileTime mtime) {
            this.name = name;
            this.out = out;
            this.mode = mode;
            this.mtime = mtime;
            try {
                this.sha256 = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private OpenStream open;

    Report read(InputStream plaintextTar, EntryHandler handler) throws IOException {
        try {
            return readAll(plaintextTar, handler);
        } catch (IOException | RuntimeException | Error e) {
            handler.abort();
            throw e;
        }
    }

    private Report readAll(InputStream plaintextTar, EntryHandler handler) throws IOException {
        Map<String, String> seenHashes = new HashMap<>();
        Set<String> links = new HashSet<>();
        Set<String> folders = new HashSet<>();
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
                files += part(tar, e, streamName, handler, seenHashes, links, folders);
                continue;
            }
            files += closeStream(handler, seenHashes);
            if (e.getName().equals(Manifest.ENTRY_NAME)) {
                manifest = readManifest(tar, e);
                continue;
            }
            String raw = requireManifest ? e.getName() : withoutDotSlash(e.getName());
            if (raw.isEmpty()) {
                continue; // "./", the archived folder itself
            }
            String name = ArchivePaths.check(raw);
            if (seenHashes.containsKey(name)) {
                throw FiresafeException.integrity("archive holds '" + ArchivePaths.printable(name) + "' twice");
            }
            checkNotThroughLink(name, e.isSymbolicLink(), links, folders);
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
                seenHashes.put(name, Manifest.Entry.DIR);
            } else if (e.isSymbolicLink()) {
                handler.symlink(name, e.getLinkName(), mtime);
                seenHashes.put(name, Manifest.Entry.SYMLINK + ":" + e.getLinkName());
            } else if (e.isFile() && !e.isLink()) {
                if ((mode & 06000) != 0) {
                    handler.recordedOwner(name, e.getLongUserId(), e.getLongGroupId());
                }
                seenHashes.put(name, copy(tar, handler.file(name, e.getSize(), mode, mtime)));
                handler.fileDone(name, mode, mtime);
                files++;
            } else {
                throw FiresafeException.integrity("archive entry '" + ArchivePaths.printable(name)
                        + "' is a hard link, device or other kind Firesafe never writes");
            }
        }
        files += closeStream(handler, seenHashes);
        if (!requireManifest) {
            handler.finish();
            return new Report(null, files, bytes.get());
        }
        if (manifest == null) {
            throw FiresafeException.integrity("archive has no manifest: it is truncated or not made by Firesafe");
        }
        compare(manifest, seenHashes);
        handler.finish();
        return new Report(manifest, files, bytes.get());
    }

    /**
     * Appends one part entry to its logical stream: parts must come in order 1, 2, 3... without gaps, under the
     * names {@link ArchiveWriter#partName} gives, and a stream's name may appear only once. Returns 1 when this
     * part started a new stream after closing another (a finished file), else 0.
     */
    private int part(InputStream tar, TarArchiveEntry e, String streamName, EntryHandler handler,
                     Map<String, String> seenHashes, Set<String> links, Set<String> folders) throws IOException {
        int index;
        try {
            index = Integer.parseInt(String.valueOf(e.getExtraPaxHeader(ArchiveWriter.PAX_PART)));
        } catch (NumberFormatException ex) {
            throw FiresafeException.integrity("stream part '" + ArchivePaths.printable(e.getName())
                    + "' has no valid part number");
        }
        ArchivePaths.check(e.getName());
        if (!e.isFile() || index < 1 || !e.getName().equals(ArchiveWriter.partName(streamName, index))) {
            throw FiresafeException.integrity("stream part '" + ArchivePaths.printable(e.getName())
                    + "' is malformed: not made by Firesafe");
        }
        int closed = 0;
        if (open == null || !open.name.equals(streamName)) {
            closed = closeStream(handler, seenHashes);
            String name = ArchivePaths.check(streamName);
            if (index != 1) {
                throw FiresafeException.integrity("stream '" + ArchivePaths.printable(name) + "' starts at part "
                        + index + ": earlier parts are missing");
            }
            if (seenHashes.containsKey(name)) {
                throw FiresafeException.integrity("archive holds '" + ArchivePaths.printable(name) + "' twice");
            }
            checkNotThroughLink(name, false, links, folders);
            int mode = e.getMode() & 07777;
            open = new OpenStream(name, handler.file(name, -1, mode, e.getLastModifiedTime()), mode,
                    e.getLastModifiedTime());
        } else if (index != open.parts + 1) {
            throw FiresafeException.integrity("stream '" + ArchivePaths.printable(open.name) + "' jumps from part "
                    + open.parts + " to " + index + ": parts are missing or reordered");
        }
        int n;
        while ((n = tar.read(buffer)) > 0) {
            open.sha256.update(buffer, 0, n);
            open.out.write(buffer, 0, n);
            open.size += n;
            onBytes.accept(bytes.addAndGet(n));
        }
        open.parts = index;
        return closed;
    }

    /** Ends the stream being reassembled, if any: its content is complete. Returns 1 if there was one. */
    private int closeStream(EntryHandler handler, Map<String, String> seenHashes) throws IOException {
        if (open == null) {
            return 0;
        }
        OpenStream s = open;
        open = null;
        s.out.close();
        seenHashes.put(s.name, streamKey(s.size, s.parts, HexFormat.of().formatHex(s.sha256.digest())));
        handler.fileDone(s.name, s.mode, s.mtime);
        return 1;
    }

    private static String streamKey(long size, int parts, String sha256) {
        return Manifest.Entry.STREAM + ":" + size + ":" + parts + ":" + sha256;
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

    /**
     * Refuses an entry below a symbolic link entry, and a symbolic link entry where earlier entries made a folder:
     * either way the archive would write through the link. {@code folders} collects every parent seen so far.
     *
     * <p>Parents are checked from the nearest up, stopping at the first one already in {@code folders}: its own
     * parents were checked when it was added, and no link may take a folder's name later (the second rule), so
     * a typical entry costs one lookup instead of one per level.
     */
    private static void checkNotThroughLink(String name, boolean isLink, Set<String> links, Set<String> folders) {
        for (int slash = name.lastIndexOf('/'); slash > 0; slash = name.lastIndexOf('/', slash - 1)) {
            String parent = name.substring(0, slash);
            if (folders.contains(parent)) {
                break;
            }
            if (links.contains(parent)) {
                throw FiresafeException.integrity("unsafe archive: '" + ArchivePaths.printable(name)
                        + "' lies under the symbolic link '" + ArchivePaths.printable(parent) + "' of the archive");
            }
            folders.add(parent);
        }
        if (isLink) {
            if (folders.contains(name)) {
                throw FiresafeException.integrity("unsafe archive: symbolic link '" + ArchivePaths.printable(name)
                        + "' would replace a folder that holds other entries");
            }
            links.add(name);
        }
    }

    private String copy(InputStream in, OutputStream out) throws IOException {
        sha256.reset();
        try (out) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                sha256.update(buffer, 0, n);
                out.write(buffer, 0, n);
                onBytes.accept(bytes.addAndGet(n));
            }
        }
        return HexFormat.of().formatHex(sha256.digest());
    }

    private static Manifest readManifest(InputStream in, TarArchiveEntry e) throws IOException {
        if (e.getSize() > MAX_MANIFEST) {
            throw FiresafeException.integrity("archive manifest is implausibly large");
        }
        ByteArrayOutputStream json = new ByteArrayOutputStream((int) e.getSize());
        in.transferTo(json);
        try {
            return Manifest.fromJson(json.toByteArray());
        } catch (IOException ex) {
            throw FiresafeException.integrity("archive manifest is damaged (not valid JSON)");
        }
    }

    /** Every difference between the manifest and the archive, named; an integrity error if there is any. */
    private static void compare(Manifest manifest, Map<String, String> seen) {
        List<String> problems = new ArrayList<>();
        Map<String, String> expected = new HashMap<>();
        for (Manifest.Entry entry : manifest.entries) {
            expected.put(entry.path(), switch (entry.type()) {
                case Manifest.Entry.FILE -> entry.sha256();
                case Manifest.Entry.SYMLINK -> Manifest.Entry.SYMLINK + ":" + entry.target();
                case Manifest.Entry.STREAM -> streamKey(entry.size() == null ? -1 : entry.size(),
                        entry.parts() == null ? -1 : entry.parts(), entry.sha256());
                default -> Manifest.Entry.DIR;
            });
        }
        expected.forEach((path, want) -> {
            String got = seen.get(path);
            if (got == null) {
                problems.add(path + ": listed in the manifest but missing from the archive");
            } else if (!got.equals(want)) {
                problems.add(path + (want.startsWith(Manifest.Entry.STREAM + ":")
                        ? ": streamed content (size, parts or SHA-256) does not match the manifest"
                        : ": content does not match the manifest's SHA-256"));
            }
        });
        seen.keySet().stream().filter(p -> !expected.containsKey(p))
                .forEach(p -> problems.add(p + ": in the archive but not in the manifest"));
        if (!problems.isEmpty()) {
            problems.sort(null);
            int shown = Math.min(problems.size(), 20);
            throw FiresafeException.integrity(problems.size() + " file(s) differ from the manifest:\n  "
                    + String.join("\n  ", problems.subList(0, shown))
                    + (problems.size() > shown ? "\n  ... and " + (problems.size() - shown) + " more" : ""));
        }
    }
}
