package dev.firesafe.repository.format;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * One piece of a file's content: its id (HMAC-SHA256 under the content key, crypto.ContentKey) and where it is
 * stored. The id lets a reader check the chunk it got and lets prune find a chunk moved to another object.
 */
public record ChunkRef(byte[] id, ChunkLocation at) {

    public static final int ID_BYTES = 32;

    public ChunkRef {
        if (id.length != ID_BYTES) {
            throw new IllegalArgumentException("a chunk id has " + ID_BYTES + " bytes");
        }
    }

    public String hex() {
        return HexFormat.of().formatHex(id);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChunkRef other && Arrays.equals(id, other.id) && at.equals(other.at);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(id) * 31 + at.hashCode();
    }

    @Override
    public String toString() {
        return "ChunkRef[" + hex().substring(0, 12) + " at " + at + "]";
    }
}
