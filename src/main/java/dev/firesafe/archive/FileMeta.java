package dev.firesafe.archive;

import java.nio.file.attribute.FileTime;

/**
 * What a backup keeps about a path besides its bytes. {@code mode} holds permission bits only. {@code ctimeNanos},
 * {@code inode} and {@code device} (0 where unknown) are not restored: with size and mtime they tell an
 * incremental backup that a file is unchanged without reading it (a file rewritten within the same second, or
 * swapped for another with the same size and mtime, changes at least its ctime or inode).
 */
public record FileMeta(long size, int mode, FileTime mtime, long uid, long gid, long ctimeNanos, long inode,
                       long device) {

    public FileMeta(long size, int mode, FileTime mtime, long uid, long gid) {
        this(size, mode, mtime, uid, gid, 0, 0, 0);
    }
}
