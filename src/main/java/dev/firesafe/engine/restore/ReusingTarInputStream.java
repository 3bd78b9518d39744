package dev.firesafe.engine.restore;

import dev.firesafe.core.FiresafeException;
import dev.firesafe.io.ErrorMappingInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Commons Compress' tar reader, moving from one entry to the next with one reused buffer. The library skips the
 * rest of an entry and its record padding through Commons IO, which allocates a fresh 8 KiB array for each skip:
 * two per entry, ~100 MB of garbage for a 1 GiB restore of ~6,000 files (half of everything the restore
 * allocates). That garbage made the JVM grow its young generation and with it the restore's peak RSS. Here the
 * same bytes are consumed, with the same counts, before the library's own step to the next header, which then
 * finds nothing left to skip. Parsing stays entirely the library's; sparse entries keep its own path.
 *
 * <p>What the parser itself rejects (a header that is not one, an entry longer than the archive, a number out of
 * range) comes out as damage: an integrity failure naming the entry, never "internal error" (issue #18). Failures
 * of the stream below (the target, decryption) pass through unchanged, so they keep their own meaning.
 */
final class ReusingTarInputStream extends TarArchiveInputStream {

    private final byte[] skipBuffer = new byte[8192];
    private final Below below;

    ReusingTarInputStream(InputStream in) {
        this(new Below(in));
    }

    private ReusingTarInputStream(Below below) {
        super(below, StandardCharsets.UTF_8.name());
        this.below = below;
    }

    /** The stream under the parser, remembering the last failure it threw. */
    private static final class Below extends ErrorMappingInputStream {
        private IOException thrown;

        Below(InputStream in) {
            super(in);
        }

        @Override
        protected IOException map(IOException e) {
            thrown = e;
            return e;
        }

        boolean threw(Throwable t) {
            for (Throwable c = t; c != null; c = c.getCause()) {
                if (c == thrown) {
                    return true;
                }
            }
            return false;
        }
    }

    @Override
    public TarArchiveEntry getNextEntry() throws IOException {
        TarArchiveEntry current = getCurrentEntry();
        try {
            return nextEntry(current);
        } catch (IOException | RuntimeException e) {
            throw malformedOr(e, current == null ? "" : " after entry '" + ArchivePaths.printable(current.getName())
                    + "'");
        }
    }

    @Override
    public int read(byte[] buf, int offset, int length) throws IOException {
        try {
            return super.read(buf, offset, length);
        } catch (IOException | RuntimeException e) {
            throw malformedOr(e, inEntry());
        }
    }

    private String inEntry() {
        TarArchiveEntry current = getCurrentEntry();
        return current == null ? "" : " in entry '" + ArchivePaths.printable(current.getName()) + "'";
    }

    /**
     * {@code e} itself where it keeps its own meaning (ours already, or thrown by the stream below); else the
     * parser rejected the archive: damage.
     */
    private IOException malformedOr(Exception e, String where) {
        if (e instanceof IOException io && below.threw(io)) {
            return io;
        }
        if (e instanceof FiresafeException fe) {
            throw fe;
        }
        String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        throw FiresafeException.integrity("malformed archive" + where + ": " + reason
                + " (the backup decrypted, but what it holds is damaged or was not made by Firesafe)", e);
    }

    private TarArchiveEntry nextEntry(TarArchiveEntry current) throws IOException {
        if (current != null && !current.isSparse()) {
            while (read(skipBuffer, 0, skipBuffer.length) >= 0) {
                // the rest of the entry, as the library's skip would read it
            }
            skipRecordPadding(current);
            setCurrentEntry(null);
        }
        return super.getNextEntry();
    }

    /** What the library's private skipRecordPadding does, reading into the reused buffer. */
    private void skipRecordPadding(TarArchiveEntry entry) throws IOException {
        long size = entry.getSize();
        int record = getRecordSize();
        if (entry.isDirectory() || size <= 0 || size % record == 0) {
            return;
        }
        long padding = record - size % record;
        while (padding > 0) {
            int n = in.read(skipBuffer, 0, (int) Math.min(skipBuffer.length, padding));
            if (n < 0) {
                throw new IOException("Truncated TAR archive"); // the library's own words for this case
            }
            count(n);
            padding -= n;
        }
    }
}
