package dev.firesafe.io;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #18 point 1: waiting for a stage never outlasts its thread. The hang seen under -Xmx12m: the encrypting
 * thread died of an OutOfMemoryError thrown while its FutureTask recorded the first one, the task never completed,
 * and the backup waited in get() forever.
 */
class StageWaitTest {

    private static final Duration PROMPTLY = Duration.ofSeconds(10);

    @Test
    void aStageWhoseThreadDiedWithoutCompletingFailsPromptly() throws Exception {
        FutureTask<String> never = new FutureTask<>(() -> "never run");
        Thread dying = new Thread(() -> {
            throw new OutOfMemoryError("injected: dies before completing its task");
        }, "stage");
        dying.setUncaughtExceptionHandler((t, e) -> { });
        dying.start();
        dying.join();
        IOException thrown = assertTimeoutPreemptively(PROMPTLY,
                () -> assertThrows(IOException.class, () -> StageWait.get(never, () -> dying, "encrypting")));
        assertTrue(thrown.getMessage().startsWith("encrypting stopped without finishing"), thrown.getMessage());
    }

    @Test
    void aResultOrAFailureIsPassedOn() throws Exception {
        FutureTask<String> ok = new FutureTask<>(() -> "done");
        Thread t = new Thread(ok);
        t.start();
        assertEquals("done", StageWait.get(ok, () -> t, "stage"));

        Error error = new StackOverflowError("injected");
        FutureTask<String> failing = new FutureTask<>(() -> {
            throw error;
        });
        Thread u = new Thread(failing);
        u.start();
        ExecutionException e = assertThrows(ExecutionException.class, () -> StageWait.get(failing, () -> u, "stage"));
        assertSame(error, e.getCause());
    }

    @Test
    void aReaderIsToldWhenItsWriterDiedWithoutClosingThePipe() throws Exception {
        ChunkPipe pipe = new ChunkPipe(8, 1);
        Thread writer = new Thread(() -> {
            try {
                pipe.sink().write(new byte[8]); // one chunk, then dies without fail() or close()
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            throw new OutOfMemoryError("injected: the writer dies");
        }, "pipe-writer");
        writer.setUncaughtExceptionHandler((t, e) -> { });
        pipe.writtenBy(writer);
        writer.start();
        writer.join();
        var in = pipe.source();
        IOException thrown = assertTimeoutPreemptively(PROMPTLY, () -> assertThrows(IOException.class,
                () -> in.transferTo(java.io.OutputStream.nullOutputStream())));
        assertTrue(thrown.getMessage().contains("stopped without finishing"), thrown.getMessage());
    }
}
