package dev.firesafe.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes that must outlive a power cut: bytes forced to disk before a rename makes them count, and the rename forced
 * with its folder. Each caller opens its file with the options it needs (a key file is never written through a
 * link; a note is created anew).
 */
public final class DurableFiles {

    private DurableFiles() {
    }

    /** Writes all of {@code bytes} to {@code out} and forces them, and the file's metadata, to disk. */
    public static void writeForced(FileChannel out, byte[] bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            out.write(buffer);
        }
        out.force(true);
    }

    /**
     * Forces folder {@code dir}'s entries to disk, so a rename into it survives a power cut. False where the file
     * system cannot sync a folder: the rename has happened either way.
     */
    public static boolean syncFolder(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
