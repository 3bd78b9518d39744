package dev.firesafe.repository.cache;

import java.util.function.IntPredicate;

/**
 * Chunk ids to record numbers in 20 bytes a slot (open addressing, linear probing): the first 12 bytes of the id,
 * the record's number and a tag (the local cache's object number). The full id and the location are in the record
 * (on disk, {@link ChunkRecords}), which a caller checks: two ids that share 12 bytes are told apart there. A
 * million chunks take ~29 MiB, where a map of byte arrays to objects took ~150.
 */
final class ChunkTable {

    private static final double LOAD = 0.7;

    private long[] high = new long[1024];
    private int[] low = new int[1024];
    private int[] record = new int[1024];
    private int[] tag = new int[1024];
    private int size;

    /** The record of {@code id} that {@code isIt} confirms, or -1. */
    int find(byte[] id, IntPredicate isIt) {
        long h = high(id);
        int l = low(id);
        int mask = record.length - 1;
        for (int i = slot(h, mask); record[i] != 0; i = (i + 1) & mask) {
            if (high[i] == h && low[i] == l && isIt.test(record[i] - 1)) {
                return record[i] - 1;
            }
        }
        return -1;
    }

    /**
     * Whether an id that starts as {@code id} does (its first 12 bytes) is recorded with {@code tag}: without a read
     * of the record, so it may be another id with the same start (1 in 2^96): a caller uses the answer only where
     * either is right.
     */
    boolean tagged(byte[] id, int tag) {
        long h = high(id);
        int l = low(id);
        int mask = record.length - 1;
        for (int i = slot(h, mask); record[i] != 0; i = (i + 1) & mask) {
            if (high[i] == h && low[i] == l && this.tag[i] == tag) {
                return true;
            }
        }
        return false;
    }

    /**
     * Records {@code id} at {@code recordNumber} with {@code tag}, replacing the record {@code isIt} confirms as
     * the same id: the newest copy of a chunk wins, which is the one every store of a backup holds once a store
     * that missed backups has been given what it lacked.
     */
    void putNewest(byte[] id, int recordNumber, int tag, IntPredicate isIt) {
        long h = high(id);
        int l = low(id);
        int mask = record.length - 1;
        for (int i = slot(h, mask); record[i] != 0; i = (i + 1) & mask) {
            if (high[i] == h && low[i] == l && isIt.test(record[i] - 1)) {
                record[i] = recordNumber + 1;
                this.tag[i] = tag;
                return;
            }
        }
        put(id, recordNumber, tag);
    }

    /** Records {@code id} at {@code recordNumber}, untagged. */
    void put(byte[] id, int recordNumber) {
        put(id, recordNumber, -1);
    }

    private void put(byte[] id, int recordNumber, int tag) {
        if (size + 1 > record.length * LOAD) {
            grow();
        }
        insert(high(id), low(id), recordNumber + 1, tag);
        size++;
    }

    int size() {
        return size;
    }

    private void insert(long h, int l, int r, int t) {
        int mask = record.length - 1;
        int i = slot(h, mask);
        while (record[i] != 0) {
            i = (i + 1) & mask;
        }
        high[i] = h;
        low[i] = l;
        record[i] = r;
        tag[i] = t;
    }

    private void grow() {
        long[] oldHigh = high;
        int[] oldLow = low;
        int[] oldRecord = record;
        int[] oldTag = tag;
        high = new long[oldRecord.length * 2];
        low = new int[oldRecord.length * 2];
        record = new int[oldRecord.length * 2];
        tag = new int[oldRecord.length * 2];
        for (int i = 0; i < oldRecord.length; i++) {
            if (oldRecord[i] != 0) {
                insert(oldHigh[i], oldLow[i], oldRecord[i], oldTag[i]);
            }
        }
    }

    private static int slot(long h, int mask) {
        return (int) (h ^ (h >>> 32)) & mask;
    }

    private static long high(byte[] id) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (id[i] & 0xff);
        }
        return v;
    }

    private static int low(byte[] id) {
        return ((id[8] & 0xff) << 24) | ((id[9] & 0xff) << 16) | ((id[10] & 0xff) << 8) | (id[11] & 0xff);
    }
}
