package dev.firesafe.repository.format;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * One entry of a snapshot's tree, in walk order: what a restore recreates and what the next backup compares a
 * file with to skip reading it.
 *
 * @param name        the entry's path in the backup ({@code label/relative/path}), UTF-8 as shown
 * @param exactName   the name's exact bytes where they are not valid UTF-8 (archive.FileNames), else null
 * @param linkTarget  a link's target as shown; null for other kinds
 * @param exactLink   the target's exact bytes where they are not valid UTF-8, else null
 * @param ctimeNanos  status-change time, inode and device: with size and mtime, what tells the next backup that
 *                    a file is unchanged without reading it (0 where the file system does not say)
 * @param sha256      the whole file's SHA-256, checked after restore; null for folders and links
 * @param chunks      the file's content in order; empty for an empty file, a folder or a link
 */
public record TreeEntry(Kind kind, String name, byte[] exactName, String linkTarget, byte[] exactLink, int mode,
                        long uid, long gid, FileTime mtime, long ctimeNanos, long inode, long device, long size,
                        byte[] sha256, List<ChunkRef> chunks) {

    /** What an entry is. A stream is a command's output, restored as a file. */
    public enum Kind {
        FILE, DIR, SYMLINK, STREAM;

        public boolean hasContent() {
            return this == FILE || this == STREAM;
        }
    }

    /** Kind.values() copies the array at each call: once per entry read, a million times in a large backup. */
    private static final Kind[] KINDS = Kind.values();

    private static final int MAX_CHUNKS_PER_PAGE_ENTRY = 1 << 24;

    /** Whether the file could be this entry, unchanged, by what a walk sees without reading it. */
    public boolean sameFile(long size, FileTime mtime, long ctimeNanos, long inode, long device) {
        return kind == Kind.FILE && this.size == size && this.mtime.equals(mtime) && this.ctimeNanos == ctimeNanos
                && this.inode == inode && this.device == device && ctimeNanos != 0 && inode != 0;
    }

    /** Writes this entry; {@code objectIndex} numbers the objects its chunks are in (the footer lists them). */
    public void write(DataOutput out, ToIntFunction<String> objectIndex) throws IOException {
        out.writeByte(kind.ordinal());
        Wire.string(out, name);
        Wire.optionalBytes(out, exactName);
        Wire.optionalString(out, linkTarget);
        Wire.optionalBytes(out, exactLink);
        Wire.varint(out, mode);
        Wire.varint(out, uid);
        Wire.varint(out, gid);
        Instant t = mtime.toInstant();
        out.writeLong(t.getEpochSecond());
        Wire.varint(out, t.getNano());
        out.writeLong(ctimeNanos);
        out.writeLong(inode);
        out.writeLong(device);
        Wire.varint(out, size);
        Wire.optionalBytes(out, sha256);
        Wire.varint(out, chunks.size());
        for (ChunkRef c : chunks) {
            out.write(c.id());
            ChunkLocation at = c.at();
            Wire.varint(out, objectIndex.applyAsInt(at.objectId()));
            Wire.varint(out, at.blockOffset());
            Wire.varint(out, at.blockLength());
            Wire.varint(out, at.offsetInBlock());
            Wire.varint(out, at.length());
        }
    }

    /** Reads an entry written by {@link #write}; {@code objects} is the footer's object list. */
    public static TreeEntry read(DataInput in, List<String> objects) throws IOException {
        int k = in.readUnsignedByte();
        if (k >= KINDS.length) {
            throw new IOException("unknown entry kind " + k);
        }
        Kind kind = KINDS[k];
        String name = Wire.string(in, "name");
        byte[] exactName = Wire.optionalBytes(in, Wire.MAX_STRING, "exact name");
        String linkTarget = Wire.optionalString(in, "link target");
        byte[] exactLink = Wire.optionalBytes(in, Wire.MAX_STRING, "exact link");
        int mode = Wire.smallInt(in, 07777, "mode");
        long uid = Wire.varint(in);
        long gid = Wire.varint(in);
        long seconds = in.readLong();
        int nanos = Wire.smallInt(in, 999_999_999, "nanoseconds");
        FileTime mtime = FileTime.from(Instant.ofEpochSecond(seconds, nanos));
        long ctime = in.readLong();
        long inode = in.readLong();
        long device = in.readLong();
        long size = Wire.varint(in);
        byte[] sha256 = Wire.optionalBytes(in, 32, "sha256");
        int count = Wire.smallInt(in, MAX_CHUNKS_PER_PAGE_ENTRY, "chunk count");
        List<ChunkRef> chunks = new ArrayList<>(Math.min(count, 1024));
        for (int i = 0; i < count; i++) {
            byte[] id = new byte[ChunkRef.ID_BYTES];
            in.readFully(id);
            int object = Wire.smallInt(in, objects.size() - 1, "object index");
            long blockOffset = Wire.varint(in);
            int blockLength = Wire.smallInt(in, Integer.MAX_VALUE, "block length");
            int offsetInBlock = Wire.smallInt(in, Integer.MAX_VALUE, "offset in block");
            int length = Wire.smallInt(in, Integer.MAX_VALUE, "chunk length");
            chunks.add(new ChunkRef(id, new ChunkLocation(objects.get(object), blockOffset, blockLength,
                    offsetInBlock, length)));
        }
        return new TreeEntry(kind, name, exactName, linkTarget, exactLink, mode, uid, gid, mtime, ctime, inode,
                device, size, sha256, chunks);
    }
}
