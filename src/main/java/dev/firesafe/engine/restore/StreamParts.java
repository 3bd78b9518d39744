package dev.firesafe.engine.restore;

import dev.firesafe.core.FiresafeException;
import dev.firesafe.archive.ArchiveWriter;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * Reassembles streamed entries (a command's output, a database dump: their size is unknown until they end, and a
 * tar entry needs it up front, so the writer stores them as consecutive part entries). Parts must come in order
 * 1, 2, 3... without gaps, under the names {@link ArchiveWriter#partName} gives, and a stream's name may appear
 * only once. A stream ends where an entry that is not its next part begins.
 */
final class StreamParts {

    /** Copies an entry's content to {@code out}, hashing it on the way; returns the number of bytes. */
    interface Pump {
        long copy(InputStream in, MessageDigest digest, OutputStream out) throws IOException;
    }

    /** A stream being reassembled. */
    private static final class Open {
        final String name;
        final OutputStream out;
        final MessageDigest sha256 = sha256();
        final int mode;
        final FileTime mtime;
        long size;
        int parts;

        Open(String name, OutputStream out, int mode, FileTime mtime) {
            this.name = name;
            this.out = out;
            this.mode = mode;
            this.mtime = mtime;
        }
    }

    private final EntryHandler handler;
    private final Map<String, String> seen;
    private final LinkGuard links;
    private final Pump pump;
    private Open open;

    /** @param seen the reader's entries so far, by name; a finished stream's {@link ManifestCheck#streamKey} joins */
    StreamParts(EntryHandler handler, Map<String, String> seen, LinkGuard links, Pump pump) {
        this.handler = handler;
        this.seen = seen;
        this.links = links;
        this.pump = pump;
    }

    /**
     * Appends one part entry, {@code e} of the stream {@code streamName}, read from {@code tar}. Returns 1 when this
     * part started a new stream after closing another (a finished file), else 0.
     */
    int add(InputStream tar, TarArchiveEntry e, String streamName) throws IOException {
        int index = partNumber(e, streamName);
        int closed = 0;
        if (open == null || !open.name.equals(streamName)) {
            closed = close();
            String name = ArchivePaths.check(streamName);
            if (index != 1) {
                throw FiresafeException.integrity("stream '" + ArchivePaths.printable(name) + "' starts at part "
                        + index + ": earlier parts are missing");
            }
            ArchiveReader.requireNew(seen, name);
            links.check(name, false, false);
            int mode = e.getMode() & 07777;
            if ((mode & 06000) != 0) { // the same rule as for files: such bits need the recorded owner
                handler.recordedOwner(name, e.getLongUserId(), e.getLongGroupId());
            }
            open = new Open(name, handler.file(name, -1, mode, e.getLastModifiedTime()), mode,
                    e.getLastModifiedTime());
        } else if (index != open.parts + 1) {
            throw FiresafeException.integrity("stream '" + ArchivePaths.printable(open.name) + "' jumps from part "
                    + open.parts + " to " + index + ": parts are missing or reordered");
        }
        open.size += pump.copy(tar, open.sha256, open.out);
        open.parts = index;
        return closed;
    }

    /** Ends the stream being reassembled, if any: its content is complete. Returns 1 if there was one. */
    int close() throws IOException {
        if (open == null) {
            return 0;
        }
        Open s = open;
        open = null;
        s.out.close();
        seen.put(s.name, ManifestCheck.streamKey(s.size, s.parts, HexFormat.of().formatHex(s.sha256.digest())));
        handler.fileDone(s.name, s.mode, s.mtime);
        return 1;
    }

    /** The part's number, once its entry proved to be a well-formed part of {@code streamName}. */
    private static int partNumber(TarArchiveEntry e, String streamName) {
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
        return index;
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
