package dev.firesafe.restore;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.attribute.FileTime;

/** What to do with each entry as the archive streams by: write it out (restore) or only look (verify). */
interface EntryHandler {

    void directory(String name, int mode, FileTime mtime) throws IOException;

    void symlink(String name, String linkTarget, FileTime mtime) throws IOException;

    /** Where to write the content of a file entry; {@link OutputStream#nullOutputStream()} to discard. */
    OutputStream file(String name, long size, int mode, FileTime mtime) throws IOException;

    /** The content was written and its stream closed. */
    void fileDone(String name, int mode, FileTime mtime) throws IOException;

    /** Every entry was seen and matches the manifest. */
    void finish() throws IOException;

    /** The read failed: stop all work now, so nothing changes on disk after the failure is reported. */
    default void abort() {
    }
}
