package dev.firesafe.archive;

import java.io.IOException;

/**
 * What receives a backup's entries in walk order, files as their content streams by: the tar archive
 * ({@link ArchiveWriter}) or the chunked backup object ({@code engine.backup.ChunkedWriter}).
 */
public interface EntryWriter {

    void directory(String name, FileMeta meta) throws IOException;

    void symlink(String name, String linkTarget, FileMeta meta) throws IOException;

    /** Something the walk or the read noticed and got past; {@code Manifest.Warning} says which are missing data. */
    void warn(String name, String problem) throws IOException;

    /** The exact bytes of the next entry's name or link target where they are not UTF-8 (see FileNames). */
    void exactBytes(String name, byte[] path, byte[] linkTarget) throws IOException;

    void beginFile(String name, FileMeta meta) throws IOException;

    /** The next {@code length} bytes of the current file; {@code buffer} is reused once this returns. */
    void fileData(byte[] buffer, int length) throws IOException;

    void endFile(String name, FileMeta meta, String sha256Hex) throws IOException;

    /**
     * A file an incremental backup did not read because it is unchanged since the previous backup:
     * {@code previous} is what the walk's look-up ({@code source.ReadAhead.Unchanged}) found for it.
     */
    default void unchangedFile(String name, FileMeta meta, Object previous) throws IOException {
        throw new IllegalStateException("this writer reads every file");
    }
}
