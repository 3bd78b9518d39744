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
        Builder b = new Builder();
        reader.index(b::add);
        return b.build(objectId);
    }

    /** Collects index entries in any order. */
    public static final class Builder {
        private byte[] ids = new byte[64 * ChunkRef.ID_BYTES];
        private ChunkLocation[] at = new ChunkLocation[64];
        private int n;

        public void add(byte[] id, ChunkLocation location) {
            if (n == at.length) {
                at = Arrays.copyOf(at, n * 2);
                ids = Arrays.copyOf(ids, n * 2 * ChunkRef.ID_BYTES);
            }
            System.arraycopy(id, 0, ids, n * ChunkRef.ID_BYTES, ChunkRef.ID_BYTES);
            at[n++] = location;
        }

        public ChunkTable build(String objectId) {
            Integer[] order = new Integer[n];
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (x, y) -> compare(ids, x, ids, y));
            Map<Long, Integer> rawEnds = new HashMap<>();
            for (int i = 0; i < n; i++) {
                rawEnds.merge(at[i].blockOffset(), at[i].offsetInBlock() + at[i].length(), Math::max);
            }
            byte[] sortedIds = new byte[n * ChunkRef.ID_BYTES];
            long[] offsets = new long[n];
            int[] blockLengths = new int[n];
            int[] inBlock = new int[n];
            int[] lengths = new int[n];
            int[] raw = new int[n];
            for (int i = 0; i < n; i++) {
                int from = order[i];
                System.arraycopy(ids, from * ChunkRef.ID_BYTES, sortedIds, i * ChunkRef.ID_BYTES, ChunkRef.ID_BYTES);
                ChunkLocation l = at[from];
                offsets[i] = l.blockOffset();
                blockLengths[i] = l.blockLength();
                inBlock[i] = l.offsetInBlock();
                lengths[i] = l.length();
                raw[i] = rawEnds.get(l.blockOffset());
            }
            return new ChunkTable(objectId, sortedIds, offsets, blockLengths, inBlock, lengths, raw);
        }
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
