package dev.firesafe.repository.format;

/**
 * Where a chunk's bytes are: in the object of backup {@code objectId}, inside the block at {@code blockOffset}
 * (plaintext offset in that object, {@code blockLength} bytes stored), {@code length} bytes from
 * {@code offsetInBlock} of the block's decompressed content.
 *
 * <p>equals and hashCode are written out: a record's own go through method handles, which a cold JVM runs
 * slowly, and an unchanged backup compares every chunk of every file (~4 us a call, 10% of its walk).
 */
public record ChunkLocation(String objectId, long blockOffset, int blockLength, int offsetInBlock, int length) {

    @Override
    public boolean equals(Object o) {
        return o instanceof ChunkLocation other && blockOffset == other.blockOffset
                && blockLength == other.blockLength && offsetInBlock == other.offsetInBlock
                && length == other.length && java.util.Objects.equals(objectId, other.objectId);
    }

    @Override
    public int hashCode() {
        int h = java.util.Objects.hashCode(objectId);
        h = 31 * h + Long.hashCode(blockOffset);
        h = 31 * h + blockLength;
        h = 31 * h + offsetInBlock;
        return 31 * h + length;
    }
}
