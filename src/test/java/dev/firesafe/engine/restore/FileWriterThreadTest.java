package dev.firesafe.engine.restore;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #18 point 1: restore's writing thread. Whatever ends it (a write failure, a bug, an Error) reaches the
 * thread that asks it to write, promptly; a restore never reports files that were not written.
 */
class FileWriterThreadTest {

    private static final Duration PROMPTLY = Duration.ofSeconds(10);

    @TempDir
    Path tmp;

    @Test
    void writesInOrderAndDrains() throws IOException {
        FileWriterThread writer = new FileWriterThread(false);
        Path file = tmp.resolve("a.txt");
        try (OutputStream out = writer.create(file)) {
            out.write("hello".getBytes());
        }
        writer.attributes(file, 0600, FileTime.fromMillis(1_000_000));
        writer.drain();
        assertArrayEquals("hello".getBytes(), Files.readAllBytes(file));
        assertTrue(Files.getLastModifiedTime(file).toMillis() == 1_000_000);
    }

    /** Before: the thread died of it silently, drain() returned and the restore said every file was written. */
    @Test
    void aBugOnTheWritingThreadFailsTheRestore() {
        FileWriterThread writer = new FileWriterThread(false);
        IOException thrown = assertTimeoutPreemptively(PROMPTLY, () -> assertThrows(IOException.class, () -> {
            writer.attributes(null, 0600, FileTime.fromMillis(0)); // a NullPointerException on the writer
            writer.drain();
        }));
        assertTrue(thrown.getCause() instanceof NullPointerException, thrown.toString());
        assertFalse(thrown instanceof DestinationIOException, "a bug is not the destination's fault");
    }

    /** An Error (out of memory) on the writing thread reaches the reader, mid-file too, with its cause. */
    @Test
    void anErrorOnTheWritingThreadReachesTheReaderPromptly() {
        OutOfMemoryError error = new OutOfMemoryError("injected: the writing thread ran out of memory");
        AtomicInteger ops = new AtomicInteger();
        FileWriterThread writer = new FileWriterThread(false, () -> {
            if (ops.incrementAndGet() == 3) {
                throw error;
            }
        });
        IOException thrown = assertTimeoutPreemptively(PROMPTLY, () -> assertThrows(IOException.class, () -> {
            byte[] data = new byte[FileWriterThread.BUFFER];
            for (int i = 0; ; i++) { // never ends unless the writer's death reaches this thread
                try (OutputStream out = writer.create(tmp.resolve("f" + i))) {
                    out.write(data);
                    out.write(data);
                }
            }
        }));
        assertSame(error, thrown.getCause(), thrown.toString());
        assertFalse(thrown instanceof DestinationIOException, "out of memory is not the destination's fault");
    }
}
