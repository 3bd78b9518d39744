package dev.firesafe.repository;

import dev.firesafe.repository.format.ChunkLocation;
import dev.firesafe.repository.format.ChunkRef;
import dev.firesafe.repository.format.ObjectReader;

import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The chunks one object holds (its index pages), sorted by id in flat arrays: about 60 bytes a chunk, no object
 * per chunk, looked up by binary search. What readers use to find a chunk by its id in a generation (where its
 * place differs from the one the referring tree recorded), and what prune and verify keep per object.
 */
public final class ChunkTable {

    private final String objectId;
    private final byte[] ids;
    private final long[] blockOffset;
    private final int[] blockLength;
    private final int[] offsetInBlock;
    private final int[] length;
    private final int[] rawBlockLength;

    private ChunkTable(String objectId, byte[] ids, long[] blockOffset, int[] blockLength, int[] offsetInBlock,
                       int[] length, int[] rawBlockLength) {
        this.objectId = objectId;
        this.ids = ids;
        this.blockOffset = blockOffset;
        this.blockLength = blockLength;
        this.offsetInBlock = offsetInBlock;
        this.length = length;
        this.rawBlockLength = rawBlockLength;
    }

    /** The index of the object {@code reader} reads. */
    public static ChunkTable of(ObjectReader reader, String objectId) throws IOException {
        long entries = 0;
        for (var page : reader.footer().indexPages()) {
            entries += page.entries();
        }
        Builder b = new Builder((int) Math.min(entries, 1 << 26));
        reader.index(b::add);
        return b.build(objectId);
    }

    /**
     * Collects index entries in any order, straight into the flat arrays (issue #18 point 2: an object per chunk,
     * then boxed indexes to sort, took ~170 bytes a chunk and ran a million-file verify out of a 128 MiB heap);
     * sorted in place, so building takes little more than the table itself.
     */
    public static final class Builder {
        private byte[] ids;
        private long[] offsets;
        private int[] blockLengths;
        private int[] inBlock;
        private int[] lengths;
        private int n;

        public Builder() {
            this(64);
        }

        /** {@code expected}: how many entries will come (the index pages say), so the arrays are made once. */
        public Builder(int expected) {
            int c = Math.max(16, expected);
            ids = new byte[c * ChunkRef.ID_BYTES];
            offsets = new long[c];
            blockLengths = new int[c];
            inBlock = new int[c];
            lengths = new int[c];
        }

        public void add(byte[] id, ChunkLocation location) {
            if (n == lengths.length) {
                int c = n + (n >> 1) + 16;
                ids = Arrays.copyOf(ids, c * ChunkRef.ID_BYTES);
                offsets = Arrays.copyOf(offsets, c);
                blockLengths = Arrays.copyOf(blockLengths, c);
                inBlock = Arrays.copyOf(inBlock, c);
                lengths = Arrays.copyOf(lengths, c);
            }
            System.arraycopy(id, 0, ids, n * ChunkRef.ID_BYTES, ChunkRef.ID_BYTES);
            offsets[n] = location.blockOffset();
            blockLengths[n] = location.blockLength();
            inBlock[n] = location.offsetInBlock();
            lengths[n] = location.length();
            n++;
        }

        public ChunkTable build(String objectId) {
            if (n < lengths.length) {
                ids = Arrays.copyOf(ids, n * ChunkRef.ID_BYTES);
                offsets = Arrays.copyOf(offsets, n);
                blockLengths = Arrays.copyOf(blockLengths, n);
                inBlock = Arrays.copyOf(inBlock, n);
                lengths = Arrays.copyOf(lengths, n);
            }
            Map<Long, Integer> rawEnds = new HashMap<>();
            for (int i = 0; i < n; i++) {
                rawEnds.merge(offsets[i], inBlock[i] + lengths[i], Math::max);
            }
            int[] raw = new int[n];
            for (int i = 0; i < n; i++) {
                raw[i] = rawEnds.get(offsets[i]);
            }
            byte[] sortedIds = ids;
            int[] order = IntSort.sorted(n, (x, y) -> compare(sortedIds, x, sortedIds, y));
            permute(order, sortedIds, offsets, blockLengths, inBlock, lengths, raw);
            return new ChunkTable(objectId, sortedIds, offsets, blockLengths, inBlock, lengths, raw);
        }

        /** Reorders every array in place so that entry i becomes the one at {@code order[i]} (cycle by cycle). */
        private static void permute(int[] order, byte[] ids, long[] offsets, int[] blockLengths, int[] inBlock,
                                    int[] lengths, int[] raw) {
            byte[] id = new byte[ChunkRef.ID_BYTES];
            java.util.BitSet done = new java.util.BitSet(order.length);
            for (int start = 0; start < order.length; start++) {
                if (done.get(start) || order[start] == start) {
                    continue;
                }
                System.arraycopy(ids, start * ChunkRef.ID_BYTES, id, 0, ChunkRef.ID_BYTES);
                long offset = offsets[start];
                int blockLength = blockLengths[start];
                int in = inBlock[start];
                int length = lengths[start];
                int r = raw[start];
                int j = start;
                while (true) {
                    done.set(j);
                    int k = order[j];
                    if (k == start) {
                        System.arraycopy(id, 0, ids, j * ChunkRef.ID_BYTES, ChunkRef.ID_BYTES);
                        offsets[j] = offset;
                        blockLengths[j] = blockLength;
                        inBlock[j] = in;
                        lengths[j] = length;
                        raw[j] = r;
                        break;
                    }
                    System.arraycopy(ids, k * ChunkRef.ID_BYTES, ids, j * ChunkRef.ID_BYTES, ChunkRef.ID_BYTES);
                    offsets[j] = offsets[k];
                    blockLengths[j] = blockLengths[k];
                    inBlock[j] = inBlock[k];
                    lengths[j] = lengths[k];
                    raw[j] = raw[k];
                    j = k;
                }
            }
        }
    }

    /**
     * The chunks' positions (0 to size - 1) in the order they are stored: by block, then by place in the block. A
     * reader of the whole object visits them so, each block once.
     */
    public int[] storageOrder() {
        return IntSort.sorted(size(), (x, y) -> {
            int c = Long.compare(blockOffset[x], blockOffset[y]);
            return c != 0 ? c : Integer.compare(offsetInBlock[x], offsetInBlock[y]);
        });
    }

    /** The block offset of chunk {@code i} (cheaper than its {@link #location}). */
    public long blockOffset(int i) {
        return blockOffset[i];
    }

    /** The object these chunks are in (a backup id, or {@code ID.gN} for a generation). */
    public String objectId() {
        return objectId;
    }

    public int size() {
        return length.length;
    }

    /** Where chunk {@code id} is in this object, or -1. */
    public int find(byte[] id) {
        int lo = 0;
        int hi = size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = compare(ids, mid, id);
            if (c < 0) {
                lo = mid + 1;
            } else if (c > 0) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -1;
    }

    public byte[] id(int i) {
        return Arrays.copyOfRange(ids, i * ChunkRef.ID_BYTES, (i + 1) * ChunkRef.ID_BYTES);
    }

    public ChunkLocation location(int i) {
        return new ChunkLocation(objectId, blockOffset[i], blockLength[i], offsetInBlock[i], length[i]);
    }

    /** Whether chunk {@code i} is where {@code at} says (block, offset in it, length). */
    public boolean isAt(int i, ChunkLocation at) {
        return blockOffset[i] == at.blockOffset() && blockLength[i] == at.blockLength()
                && offsetInBlock[i] == at.offsetInBlock() && length[i] == at.length();
    }

    /** The uncompressed length of chunk {@code i}. */
    public int length(int i) {
        return length[i];
    }

    /**
     * The stored (compressed) bytes chunk {@code i} accounts for: its share of its block, by raw length. Chunks
     * packed into one block share its compressed size in proportion.
     */
    public long storedBytes(int i) {
        return rawBlockLength[i] == 0 ? 0 : (long) blockLength[i] * length[i] / rawBlockLength[i];
    }

    /** The stored bytes of every chunk here. */
    public long storedBytes() {
        long sum = 0;
        for (int i = 0; i < size(); i++) {
            sum += storedBytes(i);
        }
        return sum;
    }

    private static int compare(byte[] a, int i, byte[] b, int j) {
        return Arrays.compareUnsigned(a, i * ChunkRef.ID_BYTES, (i + 1) * ChunkRef.ID_BYTES,
                b, j * ChunkRef.ID_BYTES, (j + 1) * ChunkRef.ID_BYTES);
    }

    private static int compare(byte[] a, int i, byte[] id) {
        return Arrays.compareUnsigned(a, i * ChunkRef.ID_BYTES, (i + 1) * ChunkRef.ID_BYTES, id, 0, ChunkRef.ID_BYTES);
    }
}
