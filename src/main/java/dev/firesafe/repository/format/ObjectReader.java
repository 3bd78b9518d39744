package dev.firesafe.repository.format;

import dev.firesafe.core.TamperedException;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.util.Arrays;
import java.util.List;

/**
 * Reads a chunked backup object through a seekable view of its plaintext (decrypted on demand, so only the
 * byte ranges asked for are fetched): the trailer, then the footer, then pages and blocks where they point.
 * Anything that does not parse is damage ({@link TamperedException}, exit 4): the decryption has authenticated
 * every byte, so a page that does not parse was written wrong or the object is not what it claims.
 */
public final class ObjectReader {

    /** Tree pages are read and parsed one at a time. */
    public interface EntryVisitor {
        void entry(TreeEntry entry) throws IOException;
    }

    /** Index entries: a chunk this object holds, and where. */
    public interface IndexVisitor {
        void chunk(byte[] id, ChunkLocation at) throws IOException;
    }

    /** A block's content in a buffer this reader reuses: valid until its next {@link #chunkBlock} call. */
    public record View(long offset, byte[] bytes, int length) {
    }

    private final SeekableByteChannel plaintext;
    private final BlockBuffers own = new BlockBuffers();

    /**
     * Buffers for chunk blocks and the last few blocks read into them, reused least recently used first. A restore
     * shares one among the readers of every object it has open, so its memory does not grow with the number of
     * objects a backup's chunks are in (a reader each was that many block-sized buffer pairs, made again each time
     * an object was reopened). More than one block: in an incremental backup the walk goes back and forth between
     * an old object's block of small files and the blocks of the files that changed since, and with one kept block
     * each return read and decoded the old block again.
     */
    public static final class BlockBuffers {
        private final Slot[] slots;
        private long uses;

        /** Keeps the last block read. */
        public BlockBuffers() {
            this(1);
        }

        /** Keeps the last {@code blocks} blocks read (each up to a block's size, encoded and decoded). */
        public BlockBuffers(int blocks) {
            slots = new Slot[blocks];
            for (int i = 0; i < blocks; i++) {
                slots[i] = new Slot();
            }
        }

        private Slot holding(ObjectReader reader, long offset) {
            for (Slot s : slots) {
                if (s.owner == reader && s.last != null && s.last.offset() == offset) {
                    s.used = ++uses;
                    return s;
                }
            }
            return null;
        }

        private Slot leastRecentlyUsed() {
            Slot oldest = slots[0];
            for (Slot s : slots) {
                if (s.used < oldest.used) {
                    oldest = s;
                }
            }
            oldest.used = ++uses;
            oldest.owner = null;
            oldest.last = null;
            return oldest;
        }
    }

    private static final class Slot {
        private byte[] encoded = new byte[0];
        private byte[] decoded = new byte[0];
        private ObjectReader owner;
        private View last;
        private long used;
    }
    private final String objectId;
    private final String what;
    private Footer footer;

    public ObjectReader(SeekableByteChannel plaintext, String objectId, String what) {
        this.plaintext = plaintext;
        this.objectId = objectId;
        this.what = what;
    }

    public Footer footer() throws IOException {
        if (footer == null) {
            footer = readFooter();
        }
        return footer;
    }

    private Footer readFooter() throws IOException {
        long size = plaintext.size();
        if (size < ObjectWriter.MAGIC.length + ObjectWriter.TRAILER) {
            throw damaged("too short to be a chunked backup");
        }
        byte[] magic = read(0, ObjectWriter.MAGIC.length);
        if (!Arrays.equals(magic, ObjectWriter.MAGIC)) {
            throw damaged("does not start like a chunked backup");
        }
        ByteBuffer trailer = ByteBuffer.wrap(read(size - ObjectWriter.TRAILER, ObjectWriter.TRAILER));
        byte[] endMagic = new byte[8];
        trailer.get(endMagic);
        long footerAt = trailer.getLong();
        int footerLength = trailer.getInt();
        int format = trailer.getInt();
        if (!Arrays.equals(endMagic, ObjectWriter.TRAILER_MAGIC) || format != ObjectWriter.FORMAT) {
            throw damaged("has no valid trailer");
        }
        if (footerAt < ObjectWriter.MAGIC.length || footerLength <= 0
                || footerAt + footerLength != size - ObjectWriter.TRAILER) {
            throw damaged("has a trailer that points outside it");
        }
        try {
            Footer f = Footer.fromBytes(Blocks.decode(read(footerAt, footerLength), footerLength, what));
            if (f.objects().isEmpty() || !f.objects().get(0).equals(f.backupId())) {
                throw damaged("has a footer whose object list does not start with itself");
            }
            return f;
        } catch (EOFException e) {
            throw damaged("has a truncated footer");
        }
    }

    /** Every tree entry, in walk order, one page in memory at a time. */
    public void entries(EntryVisitor visitor) throws IOException {
        Footer f = footer();
        for (Footer.PageRef page : f.treePages()) {
            DataInputStream in = page(page);
            for (int i = 0; i < page.entries(); i++) {
                TreeEntry e;
                try {
                    e = TreeEntry.read(in, f.objects());
                } catch (EOFException ex) {
                    throw damaged("has a tree page that ends early");
                } catch (IOException ex) {
                    throw damaged("has a tree page that does not parse (" + ex.getMessage() + ")");
                }
                visitor.entry(e);
            }
        }
    }

    /** The entries of one tree page of {@link Footer#treePages()}, in order: for a reader that interleaves. */
    public void entries(Footer.PageRef page, EntryVisitor visitor) throws IOException {
        Footer f = footer();
        DataInputStream in = page(page);
        for (int i = 0; i < page.entries(); i++) {
            TreeEntry e;
            try {
                e = TreeEntry.read(in, f.objects());
            } catch (EOFException ex) {
                throw damaged("has a tree page that ends early");
            } catch (IOException ex) {
                throw damaged("has a tree page that does not parse (" + ex.getMessage() + ")");
            }
            visitor.entry(e);
        }
    }

    /** Every chunk this object holds, by its index pages. */
    public void index(IndexVisitor visitor) throws IOException {
        for (Footer.PageRef page : footer().indexPages()) {
            DataInputStream in = page(page);
            for (int i = 0; i < page.entries(); i++) {
                byte[] id = new byte[ChunkRef.ID_BYTES];
                ChunkLocation at;
                try {
                    in.readFully(id);
                    at = new ChunkLocation(objectId, Wire.varint(in), Wire.smallInt(in, Integer.MAX_VALUE,
                            "block length"), Wire.smallInt(in, Integer.MAX_VALUE, "offset"),
                            Wire.smallInt(in, Integer.MAX_VALUE, "length"));
                } catch (IOException ex) {
                    throw damaged("has an index page that does not parse");
                }
                visitor.chunk(id, at);
            }
        }
    }

    /** The decompressed content of the block at {@code offset}. */
    public byte[] block(long offset, int length) throws IOException {
        return readBlock(offset, length, () -> Blocks.decode(read(offset, length), length, what));
    }

    /**
     * The content of the chunk block at {@code offset}, in this reader's own buffers (a restore reads the data's
     * size in blocks: one array each would be that much garbage); the last one is kept, since small files share.
     */
    public View chunkBlock(long offset, int length) throws IOException {
        return chunkBlock(offset, length, own);
    }

    /**
     * The same, read into {@code buffers}; the view is valid until the next read into them, by any reader (it stays
     * valid longer where they keep several blocks, but no caller may count on that).
     */
    public View chunkBlock(long offset, int length, BlockBuffers buffers) throws IOException {
        Slot kept = buffers.holding(this, offset);
        if (kept != null) {
            return kept.last;
        }
        Slot slot = buffers.leastRecentlyUsed();
        View view = readBlock(offset, length, () -> {
            if (slot.encoded.length < length) {
                slot.encoded = new byte[Math.max(length, Math.min(slot.encoded.length * 2, MAX_BLOCK))];
            }
            readInto(offset, slot.encoded, length);
            int raw = Blocks.contentLength(slot.encoded, length, what);
            if (slot.decoded.length < raw) {
                slot.decoded = new byte[Math.max(raw, Math.min(slot.decoded.length * 2, Blocks.MAX_RAW))];
            }
            return new View(offset, slot.decoded, Blocks.decodeInto(slot.encoded, length, what, slot.decoded));
        });
        slot.owner = this;
        slot.last = view;
        return view;
    }

    private static final int MAX_BLOCK = Blocks.maxEncoded(Blocks.MAX_RAW);

    private interface BlockRead<T> {
        T read() throws IOException;
    }

    /** A block's read, its bounds checked first and whatever does not decode reported as damage. */
    private <T> T readBlock(long offset, int length, BlockRead<T> read) throws IOException {
        if (offset < ObjectWriter.MAGIC.length || length <= 0 || length > MAX_BLOCK) {
            throw damaged("is asked for a block outside it (" + offset + "+" + length + ")");
        }
        try {
            return read.read();
        } catch (TamperedException e) {
            throw e;
        } catch (EOFException e) {
            throw damaged("ends inside the block at " + offset);
        } catch (IOException e) {
            if (e.getClass() == IOException.class) {
                throw damaged(e.getMessage());
            }
            throw e;
        }
    }

    private DataInputStream page(Footer.PageRef page) throws IOException {
        return new DataInputStream(new ByteArrayInputStream(block(page.offset(), page.length())));
    }

    private byte[] read(long offset, int length) throws IOException {
        byte[] bytes = new byte[length];
        readInto(offset, bytes, length);
        return bytes;
    }

    private void readInto(long offset, byte[] into, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(into, 0, length);
        plaintext.position(offset);
        while (buffer.hasRemaining()) {
            if (plaintext.read(buffer) < 0) {
                throw new EOFException(what + " ends at " + (offset + buffer.position()));
            }
        }
    }

    private TamperedException damaged(String problem) {
        return new TamperedException(what + " " + problem + ": damaged or not made by Firesafe", null);
    }
}
