package dev.firesafe.archive;

import java.nio.file.attribute.FileTime;

/** What the archive keeps about a path besides its bytes. {@code mode} holds permission bits only. */
public record FileMeta(long size, int mode, FileTime mtime, long uid, long gid) {
}
