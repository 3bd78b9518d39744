package dev.firesafe.engine.restore;

import java.io.OutputStream;
import java.nio.file.attribute.FileTime;

/** The handler of {@code verify}: reads and hashes everything, writes nothing. */
final class Discarder implements EntryHandler {
    @Override
    public void directory(String name, int mode, FileTime mtime) {
    }

    @Override
    public void symlink(String name, String linkTarget, FileTime mtime) {
    }

    @Override
    public OutputStream file(String name, long size, int mode, FileTime mtime) {
        return OutputStream.nullOutputStream();
    }

    @Override
    public void fileDone(String name, int mode, FileTime mtime) {
    }

    @Override
    public void finish() {
    }
}
