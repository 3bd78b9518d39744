package dev.firesafe.repository.format;

/**
 * Where a chunk's bytes are: in the object of backup {@code objectId}, inside the block at {@code blockOffset}
 * (plaintext offset in that object, {@code blockLength} bytes stored), {@code length} bytes from
 * {@code offsetInBlock} of the block's decompressed content.
 */
public record ChunkLocation(String objectId, long blockOffset, int blockLength, int offsetInBlock, int length) {
}
