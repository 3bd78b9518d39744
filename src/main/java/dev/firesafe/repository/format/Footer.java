package dev.firesafe.repository.format;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The last block of a chunked backup object: what the backup is (id, plan, host, times, sources), which objects
 * its tree refers to ({@code objects}; the first is the backup's own), where its tree and index pages are, its
 * counts and warnings. Small: its size grows with the number of pages and referenced objects, not with files.
 *
 * @param full        whether every chunk the tree names is in this object (it depends on no other)
 * @param newBytes    bytes of content stored for the first time in this object (before compression)
 * @param storedBytes the compressed size of those chunks' blocks
 * @param dedupBytes  bytes of content the tree names that were already stored (unchanged or duplicate)
 */
public record Footer(String backupId, String plan, String host, String started, String finished,
                     String firesafeVersion, boolean full, List<Source> sources, List<String> objects,
                     List<PageRef> treePages, List<PageRef> indexPages, long files, long bytes, long newBytes,
                     long storedBytes, long dedupBytes, List<Warning> warnings, long warningsLeftOut) {

    /** Where a top-level folder of the backup came from (a folder, a command, a database). */
    public record Source(String label, String origin) {
    }

    /** A page (tree entries or index entries) stored as a block: where, how long, how many entries. */
    public record PageRef(long offset, int length, int entries) {
    }

    /** What the backup noticed and got past; {@code missing}: data the plan names is not in the backup. */
    public record Warning(String path, String problem, boolean missing) {
    }

    /** At most this many warnings are kept in the footer; the rest are counted. */
    public static final int MAX_WARNINGS = 10_000;
    private static final int MAX_LIST = 1 << 24;

    byte[] toBytes() throws IOException {
        ByteArrayOutputStream bytesOut = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytesOut);
        Wire.string(out, backupId);
        Wire.string(out, plan);
        Wire.string(out, host);
        Wire.string(out, started);
        Wire.string(out, finished);
        Wire.string(out, firesafeVersion);
        out.writeBoolean(full);
        Wire.varint(out, sources.size());
        for (Source s : sources) {
            Wire.string(out, s.label());
            Wire.string(out, s.origin());
        }
        Wire.varint(out, objects.size());
        for (String o : objects) {
            Wire.string(out, o);
        }
        pages(out, treePages);
        pages(out, indexPages);
        Wire.varint(out, files);
        Wire.varint(out, bytes);
        Wire.varint(out, newBytes);
        Wire.varint(out, storedBytes);
        Wire.varint(out, dedupBytes);
        Wire.varint(out, warnings.size());
        for (Warning w : warnings) {
            Wire.string(out, w.path());
            Wire.string(out, w.problem());
            out.writeBoolean(w.missing());
        }
        Wire.varint(out, warningsLeftOut);
        out.flush();
        return bytesOut.toByteArray();
    }

    private static void pages(DataOutputStream out, List<PageRef> pages) throws IOException {
        Wire.varint(out, pages.size());
        for (PageRef p : pages) {
            Wire.varint(out, p.offset());
            Wire.varint(out, p.length());
            Wire.varint(out, p.entries());
        }
    }

    static Footer fromBytes(byte[] encoded) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(encoded));
        String backupId = Wire.string(in, "backup id");
        String plan = Wire.string(in, "plan");
        String host = Wire.string(in, "host");
        String started = Wire.string(in, "started");
        String finished = Wire.string(in, "finished");
        String version = Wire.string(in, "version");
        boolean full = in.readBoolean();
        int n = Wire.smallInt(in, MAX_LIST, "sources");
        List<Source> sources = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            sources.add(new Source(Wire.string(in, "label"), Wire.string(in, "origin")));
        }
        n = Wire.smallInt(in, MAX_LIST, "objects");
        List<String> objects = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            objects.add(Wire.string(in, "object"));
        }
        List<PageRef> treePages = pages(in);
        List<PageRef> indexPages = pages(in);
        long files = Wire.varint(in);
        long bytes = Wire.varint(in);
        long newBytes = Wire.varint(in);
        long storedBytes = Wire.varint(in);
        long dedupBytes = Wire.varint(in);
        n = Wire.smallInt(in, MAX_WARNINGS, "warnings");
        List<Warning> warnings = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            warnings.add(new Warning(Wire.string(in, "path"), Wire.string(in, "problem"), in.readBoolean()));
        }
        long leftOut = Wire.varint(in);
        if (in.available() != 0) {
            throw new IOException("footer has trailing bytes");
        }
        return new Footer(backupId, plan, host, started, finished, version, full, sources, objects, treePages,
                indexPages, files, bytes, newBytes, storedBytes, dedupBytes, warnings, leftOut);
    }

    private static List<PageRef> pages(DataInputStream in) throws IOException {
        int n = Wire.smallInt(in, MAX_LIST, "pages");
        List<PageRef> pages = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            pages.add(new PageRef(Wire.varint(in), Wire.smallInt(in, Integer.MAX_VALUE, "page length"),
                    Wire.smallInt(in, Integer.MAX_VALUE, "page entries")));
        }
        return pages;
    }

    /** Whether data the plan names is missing from this backup (it ended with exit 7). */
    public boolean incomplete() {
        return warnings.stream().anyMatch(Warning::missing);
    }
}
