package dev.firesafe.repository.format;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the plaintext of a chunked backup object, front to back, in one pass (it goes straight into the
 * encryption and on to the stores, never to disk):
 *
 * <pre>
 *   MAGIC
 *   blocks         chunk blocks, tree pages and index pages, interleaved as they fill
 *   footer block   Footer: what the backup is and where its pages are
 *   trailer        TRAILER_MAGIC, footer offset (8), footer length (4), format (4)
 * </pre>
 *
 * Tree and index entries are collected into pages of about {@link #PAGE_TARGET} bytes, so a million files cost
 * memory for one page, and a reader finds everything from the trailer at the end.
 */
public final class ObjectWriter {

    static final byte[] MAGIC = {'F', 'S', 'O', 'B', 'J', '2', '\n', 0};
    static final byte[] TRAILER_MAGIC = {'F', 'S', 'E', 'N', 'D', '2', '\n', 0};
    static final int TRAILER = 8 + 8 + 4 + 4;
    static final int FORMAT = 2;
    /** Raw bytes of tree or index entries per page: large enough to compress well, small enough to hold. */
    static final int PAGE_TARGET = 256 * 1024;

    private final OutputStream out;
    private final String backupId;
    private final int level;
    private long position;
    private final Map<String, Integer> objects = new LinkedHashMap<>();
    private final PageBuffer tree = new PageBuffer();
    private final PageBuffer index = new PageBuffer();
    private final List<Footer.PageRef> treePages = new ArrayList<>();
    private final List<Footer.PageRef> indexPages = new ArrayList<>();

    /** @param level zstd level of the pages (chunk blocks come encoded) */
    public ObjectWriter(OutputStream plaintext, String backupId, int level) throws IOException {
        this.out = plaintext;
        this.backupId = backupId;
        this.level = level;
        objects.put(backupId, 0);
        write(MAGIC, MAGIC.length);
    }

    /** Bytes written so far: where the next block starts. */
    public long position() {
        return position;
    }

    /** Writes an encoded block ({@link Blocks#encode}) and returns where it starts. */
    public long writeBlock(byte[] encoded, int length) throws IOException {
        long at = position;
        write(encoded, length);
        return at;
    }

    /** Writes an encoded block from a direct buffer (from 0) and returns where it starts. */
    public long writeBlock(java.nio.ByteBuffer encoded, int length) throws IOException {
        long at = position;
        for (int done = 0; done < length; ) {
            int n = Math.min(copy.length, length - done);
            encoded.get(done, copy, 0, n);
            write(copy, n);
            done += n;
        }
        return at;
    }

    private final byte[] copy = new byte[64 * 1024];

    /** Adds an entry to the tree (in walk order); a full page is written as a block. */
    public void add(TreeEntry entry) throws IOException {
        entry.write(tree.data, this::objectIndex);
        tree.entries++;
        if (tree.bytes.size() >= PAGE_TARGET) {
            flush(tree, treePages);
        }
    }

    /** Records that this object holds chunk {@code id} at {@code at} (its index, for prune and for caches). */
    public void indexed(byte[] id, ChunkLocation at) throws IOException {
        if (!at.objectId().equals(backupId)) {
            throw new IllegalArgumentException("the index lists only this object's chunks");
        }
        index.data.write(id);
        Wire.varint(index.data, at.blockOffset());
        Wire.varint(index.data, at.blockLength());
        Wire.varint(index.data, at.offsetInBlock());
        Wire.varint(index.data, at.length());
        index.entries++;
        if (index.bytes.size() >= PAGE_TARGET) {
            flush(index, indexPages);
        }
    }

    /** The objects the tree refers to so far, this one first. */
    public List<String> objects() {
        return List.copyOf(objects.keySet());
    }

    /** Writes the last pages, the footer (its page and object lists filled in here) and the trailer. */
    public void finish(Footer footer) throws IOException {
        flush(tree, treePages);
        flush(index, indexPages);
        Footer complete = new Footer(footer.backupId(), footer.plan(), footer.host(), footer.started(),
                footer.finished(), footer.firesafeVersion(), objects.size() == 1, footer.sources(), objects(),
                List.copyOf(treePages), List.copyOf(indexPages), footer.files(), footer.bytes(), footer.newBytes(),
                footer.storedBytes(), footer.dedupBytes(), footer.warnings(), footer.warningsLeftOut());
        byte[] raw = complete.toBytes();
        byte[] encoded = Blocks.encode(raw, raw.length, level);
        long at = writeBlock(encoded, encoded.length);
        ByteBuffer trailer = ByteBuffer.allocate(TRAILER).put(TRAILER_MAGIC).putLong(at).putInt(encoded.length)
                .putInt(FORMAT);
        write(trailer.array(), TRAILER);
    }

    private int objectIndex(String objectId) {
        return objects.computeIfAbsent(objectId, id -> objects.size());
    }

    private void flush(PageBuffer page, List<Footer.PageRef> refs) throws IOException {
        if (page.entries == 0) {
            return;
        }
        page.data.flush();
        byte[] raw = page.bytes.toByteArray();
        byte[] encoded = Blocks.encode(raw, raw.length, level);
        refs.add(new Footer.PageRef(writeBlock(encoded, encoded.length), encoded.length, page.entries));
        page.bytes.reset();
        page.entries = 0;
    }

    private void write(byte[] bytes, int length) throws IOException {
        out.write(bytes, 0, length);
        position += length;
    }

    private static final class PageBuffer {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream(PAGE_TARGET + 64 * 1024);
        final DataOutputStream data = new DataOutputStream(bytes);
        int entries;
    }
}
