package dev.firesafe.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@link ChunkPipe} between real threads. Nothing here waits on a clock to synchronise: threads meet on latches,
 * futures and joins, and every wait has a deadline so a broken pipe fails the test instead of hanging it.
 *
 * <p>Not covered: the memory bound ("at most depth + 2 buffers"). Buffers never leave the class, so how many were
 * allocated cannot be observed without adding a counter to production code. By reading the code the bound is
 * depth + 3, not depth + 2: the full queue holds depth + 1 chunks, plus the one being filled and the one being
 * drained.
 */
class ChunkPipeTest {

    private static final long DEADLINE_SECONDS = 20;

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Thread start(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static <T> T await(FutureTask<T> task) throws Exception {
        try {
            return task.get(DEADLINE_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception ex) {
                throw ex;
            }
            throw e;
        }
    }

    /**
     * Writes of cycling sizes (1 byte, odd sizes, around and above the chunk size) read back in reads of other
     * cycling sizes, across two threads; every case moves many more chunks than the pipe holds, so both sides block.
     */
    @ParameterizedTest(name = "chunk {0}, depth {1}, {2} bytes")
    @CsvSource({"1, 1, 30011", "7, 1, 200003", "64, 2, 1000003", "4096, 4, 3000017", "1048576, 4, 9437197"})
    void bytesArriveIntactAndInOrder(int chunkSize, int depth, int length) throws Exception {
        ChunkPipe pipe = new ChunkPipe(chunkSize, depth);
        byte[] data = new byte[length];
        new Random(chunkSize).nextBytes(data);
        int[] writeSizes = {1, 3, 17, chunkSize - 1, chunkSize, chunkSize + 1, 3 * chunkSize + 5, 65_537};

        FutureTask<Void> writer = new FutureTask<>(() -> {
            try (OutputStream out = pipe.sink()) {
                int off = 0;
                for (int i = 0; off < data.length; i++) {
                    int n = Math.min(Math.max(1, writeSizes[i % writeSizes.length]), data.length - off);
                    if (n == 1) {
                        out.write(data[off]); // the single-byte path too
                    } else {
                        out.write(data, off, n);
                    }
                    off += n;
                }
            }
            return null;
        });
        FutureTask<byte[]> reader = new FutureTask<>(() -> {
            MessageDigest digest = sha256();
            int[] readSizes = {1, 5, 4093, 1 << 20, 2};
            byte[] buf = new byte[1 << 20];
            long total = 0;
            try (InputStream in = pipe.source()) {
                for (int i = 0; ; i++) {
                    int want = readSizes[i % readSizes.length];
                    if (want == 1) {
                        int b = in.read();
                        if (b < 0) {
                            break;
                        }
                        digest.update((byte) b);
                        total++;
                    } else {
                        int n = in.read(buf, 0, want);
                        if (n < 0) {
                            break;
                        }
                        digest.update(buf, 0, n);
                        total += n;
                    }
                }
                assertEquals(-1, in.read(), "the end stays the end");
            }
            assertEquals(data.length, total);
            return digest.digest();
        });
        start("pipe-writer", writer);
        start("pipe-reader", reader);
        await(writer);
        assertArrayEquals(sha256().digest(data), await(reader));
    }

    /**
     * The copy-free hand-overs: transferFrom fills chunks straight from a stream that returns odd-sized reads,
     * after ordinary writes left a chunk half full; transferTo, after ordinary reads left a chunk half read,
     * writes the chunks themselves. Bytes arrive intact, in order, and both report how many they moved.
     */
    @ParameterizedTest(name = "chunk {0}, depth {1}, {2} bytes")
    @CsvSource({"1, 1, 30011", "64, 2, 1000003", "524288, 4, 9437197"})
    void transfersMoveWholeChunksIntactAndInOrder(int chunkSize, int depth, int length) throws Exception {
        ChunkPipe pipe = new ChunkPipe(chunkSize, depth);
        byte[] data = new byte[length];
        new Random(length).nextBytes(data);
        int head = Math.min(101, length);
        FutureTask<Long> writer = new FutureTask<>(() -> {
            try (ChunkPipe.Sink out = pipe.sink()) {
                out.write(data, 0, head);
                InputStream oddReads = new java.io.ByteArrayInputStream(data, head, length - head) {
                    private int call;

                    @Override
                    public synchronized int read(byte[] b, int off, int len) {
                        return super.read(b, off, Math.min(len, 1 + (call++ * 7919) % 70_001));
                    }
                };
                return out.transferFrom(oddReads);
            }
        });
        FutureTask<byte[]> reader = new FutureTask<>(() -> {
            java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream(length);
            try (InputStream in = pipe.source()) {
                byte[] first = new byte[head];
                int n = in.readNBytes(first, 0, head);
                got.write(first, 0, n);
                assertEquals(length - head, in.transferTo(got));
                assertEquals(-1, in.read(), "the end stays the end");
            }
            return got.toByteArray();
        });
        start("pipe-writer", writer);
        start("pipe-reader", reader);
        assertEquals(length - head, await(writer));
        assertArrayEquals(data, await(reader));
    }

    @Test
    void emptyStreamEndsAtOnce() throws Exception {
        ChunkPipe pipe = new ChunkPipe(16, 1);
        pipe.sink().close();
        assertEquals(-1, pipe.source().read(new byte[8], 0, 8));
    }

    @Test
    void writerFailureReachesTheReaderWithItsCause() throws Exception {
        ChunkPipe pipe = new ChunkPipe(16, 2);
        IllegalStateException cause = new IllegalStateException("disk on fire");
        byte[] first = "sixteen bytes!!!".getBytes();
        FutureTask<Void> writer = new FutureTask<>(() -> {
            OutputStream out = pipe.sink();
            out.write(first); // exactly one chunk: handed over
            pipe.fail(cause); // and never closed: the reader must not take this for the end
            return null;
        });
        start("pipe-writer", writer);
        await(writer);

        InputStream in = pipe.source();
        byte[] got = new byte[first.length];
        int n = 0;
        IOException failure = null;
        try {
            while (n < got.length) {
                int r = in.read(got, n, got.length - n);
                assertTrue(r > 0, "a failed writer must not look like a normal end");
                n += r;
            }
            in.read();
            fail("read after the writer failed must throw");
        } catch (IOException e) {
            failure = e;
        }
        assertArrayEquals(first, got, "what was handed over before the failure still arrives");
        assertTrue(causeChainContains(failure, cause), "cause chain: " + failure);
        IOException again = assertThrows(IOException.class, in::read, "the failure is not forgotten");
        assertTrue(causeChainContains(again, cause));
    }

    @Test
    void readerBlockedOnAnEmptyPipeWakesWithTheWritersFailure() throws Exception {
        ChunkPipe pipe = new ChunkPipe(1024, 2);
        CountDownLatch readerStarted = new CountDownLatch(1);
        FutureTask<Integer> reader = new FutureTask<>(() -> {
            readerStarted.countDown();
            return pipe.source().read(); // nothing was written: waits until the writer fails
        });
        Thread readerThread = start("pipe-reader", reader);
        assertTrue(readerStarted.await(DEADLINE_SECONDS, TimeUnit.SECONDS));
        awaitWaiting(readerThread);

        RuntimeException cause = new RuntimeException("compressor crashed");
        pipe.fail(cause);
        IOException e = assertThrows(IOException.class, () -> await(reader));
        assertTrue(causeChainContains(e, cause), "cause chain: " + e);
    }

    @Test
    void closingTheReaderMakesABlockedWriterThrowReaderGone() throws Exception {
        int chunk = 64;
        int depth = 2;
        ChunkPipe pipe = new ChunkPipe(chunk, depth);
        InputStream in = pipe.source();
        assertEquals(0, in.read(new byte[0], 0, 0));

        CountDownLatch queueFull = new CountDownLatch(1);
        AtomicReference<Throwable> writerFailure = new AtomicReference<>();
        AtomicReference<Long> chunksWritten = new AtomicReference<>(0L);
        Thread writer = start("pipe-writer", () -> {
            OutputStream out = pipe.sink();
            byte[] one = new byte[chunk];
            long written = 0;
            try {
                for (; written < depth + 1; written++) {
                    out.write(one); // fills the queue: depth + 1 chunks fit without a reader
                }
                queueFull.countDown();
                for (; written < 1_000_000; written++) {
                    out.write(one); // blocks here, the reader is not reading
                }
            } catch (Throwable t) {
                writerFailure.set(t);
            } finally {
                chunksWritten.set(written);
                queueFull.countDown();
            }
        });
        assertTrue(queueFull.await(DEADLINE_SECONDS, TimeUnit.SECONDS));
        awaitWaiting(writer);
        assertTrue(writer.isAlive(), "the writer must be blocked, not finished: " + writerFailure.get());

        in.close();
        writer.join(TimeUnit.SECONDS.toMillis(DEADLINE_SECONDS));
        assertFalse(writer.isAlive(), "a writer blocked on a closed reader must not wait forever");
        assertInstanceOf(ChunkPipe.ReaderGoneException.class, writerFailure.get());
        assertTrue(chunksWritten.get() <= depth + 3, "the writer noticed at its next write, not "
                + (chunksWritten.get() - depth - 1) + " chunks later");
    }

    /** Issue #18 point 1: a reading thread that died without closing (any Throwable) never leaves the writer waiting. */
    @Test
    void aReaderThatDiedWithoutClosingIsGoneForTheWriter() throws Exception {
        ChunkPipe pipe = new ChunkPipe(8, 1);
        InputStream in = pipe.source();
        OutputStream out = pipe.sink();
        out.write(new byte[8]);
        Thread reader = start("pipe-reader", () -> {
            try {
                in.read(new byte[8]); // takes one chunk, then dies without closing
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            throw new OutOfMemoryError("injected: the reader dies");
        });
        reader.join(TimeUnit.SECONDS.toMillis(DEADLINE_SECONDS));
        assertFalse(reader.isAlive());
        ChunkPipe.ReaderGoneException gone = assertTimeoutPreemptively(java.time.Duration.ofSeconds(DEADLINE_SECONDS),
                () -> assertThrows(ChunkPipe.ReaderGoneException.class, () -> {
                    for (int i = 0; i < 1_000_000; i++) {
                        out.write(new byte[8]); // blocks at the third chunk before the fix
                    }
                }));
        assertTrue(gone.getMessage().contains("stopped reading"));
    }

    @Test
    void writingOrClosingAfterTheReaderLeftThrowsReaderGone() throws Exception {
        ChunkPipe pipe = new ChunkPipe(8, 1);
        pipe.source().close();
        OutputStream out = pipe.sink();
        assertThrows(ChunkPipe.ReaderGoneException.class, () -> out.write(new byte[8]));
        assertThrows(ChunkPipe.ReaderGoneException.class, out::close);
    }

    @Test
    void writingAfterCloseIsRefused() throws Exception {
        ChunkPipe pipe = new ChunkPipe(8, 1);
        OutputStream out = pipe.sink();
        out.close();
        assertThrows(IOException.class, () -> out.write(1));
    }

    private static boolean causeChainContains(Throwable t, Throwable wanted) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c == wanted) {
                return true;
            }
        }
        return false;
    }

    /** Waits (without sleeping) until {@code t} is parked in a timed or untimed wait, or fails after a deadline. */
    private static void awaitWaiting(Thread t) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_SECONDS);
        while (t.getState() != Thread.State.TIMED_WAITING && t.getState() != Thread.State.WAITING) {
            if (!t.isAlive() || System.nanoTime() > deadline) {
                fail("thread " + t.getName() + " never blocked; state " + t.getState());
            }
            Thread.onSpinWait();
        }
    }
}
