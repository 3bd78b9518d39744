package dev.firesafe.engine.restore;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.attribute.FileTime;
import java.util.List;

/** What to do with each entry as the archive streams by: write it out (restore) or only look (verify). */
interface EntryHandler {

    /**
     * The exact bytes of the next entry called {@code name} and/or of its link target, where the archive shows
     * them spelled out because they are not UTF-8 (null for what is not); checked against {@code name} first.
     */
    default void exactBytes(String name, byte[] path, byte[] linkTarget) throws IOException {
    }

    /**
     * The owner and group recorded for the next file entry called {@code name}, told only for a file whose mode has
     * the setuid or setgid bit: those bits mean "run as this owner", and owners are not restored.
     */
    default void recordedOwner(String name, long uid, long gid) {
    }

    void directory(String name, int mode, FileTime mtime) throws IOException;

    void symlink(String name, String linkTarget, FileTime mtime) throws IOException;

    /** Where to write the content of a file entry; {@link OutputStream#nullOutputStream()} to discard. */
    OutputStream file(String name, long size, int mode, FileTime mtime) throws IOException;

    /** The content was written and its stream closed. */
    void fileDone(String name, int mode, FileTime mtime) throws IOException;

    /** Every entry was seen and matches the manifest. */
    void finish() throws IOException;

    /** What the handler could not do as the archive asked, one line each ("path: problem"); shown, not fatal. */
    default List<String> warnings() {
        return List.of();
    }

    /** The read failed: stop all work now, so nothing changes on disk after the failure is reported. */
    default void abort() {
    }
}
