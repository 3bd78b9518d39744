package dev.firesafe.engine.restore;

import dev.firesafe.io.Streams;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Performs restore's file-system writes (create, write, close, chmod, utimes) on a thread of their own, in the
 * order they were asked for. Measured: creating and filling thousands of files costs the kernel as much CPU as
 * decompressing them, and a {@code tar -x} in a pipe does that work in its own process; this is the same overlap.
 *
 * <p>Memory is bounded: data travels in at most {@value #BUFFERS} buffers of {@value #BUFFER} bytes, and a
 * writer that falls behind blocks the archive reader. A write failure is kept and thrown to the reader at its
 * next call, as a {@link DestinationIOException}. Safety checks (paths, symbolic links) stay with the caller,
 * which does them before asking.
 */
final class FileWriterThread {

    static final int BUFFER = Streams.STAGE_BUFFER;
    static final int BUFFERS = 8;
    private static final int RECHECK_MS = 50;

    private sealed interface Op permits Open, Data, CloseFile, Attributes, Stop {
    }

    /** Opens {@code path}; {@code replacing}: a temporary file, renamed over that path once written (else null). */
    private record Open(Path path, Path replacing) implements Op {
    }

    private record Data(byte[] buffer, int length) implements Op {
    }

    private record CloseFile() implements Op {
    }

    private record Attributes(Path path, int mode, FileTime mtime) implements Op {
    }

    private record Stop() implements Op {
    }

    private final BlockingQueue<Op> queue = new ArrayBlockingQueue<>(256);
    private final BlockingQueue<byte[]> spare = new ArrayBlockingQueue<>(BUFFERS);
    private int allocated;
    /**
     * The first failure of the writing thread: a write's IOException, or whatever else ended the thread (an
     * Error, a bug), kept so that the reader learns of it instead of a restore reporting files it never wrote.
     */
    private volatile Throwable failure;
    private volatile boolean discard;
    private final Thread thread;
    private final boolean sparse;
    private final Runnable beforeEachOp;

    FileWriterThread(boolean sparse) {
        this(sparse, () -> {
        });
    }

    /** For tests: {@code beforeEachOp} runs on the writing thread before each operation (to make it fail). */
    FileWriterThread(boolean sparse, Runnable beforeEachOp) {
        this.sparse = sparse;
        this.beforeEachOp = beforeEachOp;
        thread = new Thread(this::loop, "firesafe-write");
        thread.setDaemon(true);
        thread.start();
    }

    /** A stream for a new file at {@code path} (created exclusively, never through a link, on the writer). */
    OutputStream create(Path path) throws IOException {
        return open(new Open(path, null));
    }

    /**
     * A stream whose content replaces the file (or link) at {@code path} (restore --force, issue #18): written to a
     * temporary file in the same folder, renamed over {@code path} when closed. A failure, or an abort before the
     * rename, deletes the temporary file and leaves the old one; the rename is atomic, so {@code path} is always the
     * old file or the new one.
     */
    OutputStream replace(Path path) throws IOException {
        return open(new Open(temporarySibling(path), path));
    }

    /**
     * A name beside {@code path} that no entry has (entries are never hidden temporary names of ours). The random
     * part only keeps names apart, so ThreadLocalRandom: a static SecureRandom would be made when the native image
     * is built (its seed fixed in the executable), which the native-image builder refuses.
     */
    static Path temporarySibling(Path path) {
        return path.resolveSibling(".firesafe-restore-"
                + Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong()) + ".tmp");
    }

    /** Files closed (and renamed into place) so far: entries on disk, for "N entries were written". */
    long filesWritten() {
        return filesWritten;
    }

    private volatile long filesWritten;

    private OutputStream open(Open open) throws IOException {
        put(open);
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                while (len > 0) {
                    byte[] buffer = buffer();
                    int n = Math.min(len, buffer.length);
                    System.arraycopy(b, off, buffer, 0, n);
                    put(new Data(buffer, n));
                    off += n;
                    len -= n;
                }
            }

            @Override
            public void close() throws IOException {
                put(new CloseFile());
            }
        };
    }

    void attributes(Path path, int mode, FileTime mtime) throws IOException {
        put(new Attributes(path, mode, mtime));
    }

    /** Waits until everything asked for is on disk; throws the first write failure. */
    void drain() throws IOException {
        stop();
        if (failure != null) {
            throw reported(failure);
        }
        if (!finished) {
            throw new IOException("the file writer stopped before writing everything");
        }
    }

    /** Drops what is still queued and waits for the thread, so no file changes after a failed restore returns. */
    void abort() {
        discard = true;
        try {
            stop();
        } catch (IOException e) {
            // aborting after a failure: the first failure is the one reported
        }
    }

    private void stop() throws IOException {
        put(new Stop());
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while finishing writes");
        }
    }

    private byte[] buffer() throws IOException {
        byte[] b = spare.poll();
        if (b != null) {
            return b;
        }
        if (allocated < BUFFERS) {
            allocated++;
            return new byte[BUFFER];
        }
        try {
            while ((b = spare.poll(RECHECK_MS, TimeUnit.MILLISECONDS)) == null) {
                checkAlive();
            }
            return b;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the writer");
        }
    }

    private void put(Op op) throws IOException {
        checkFailure();
        try {
            while (!queue.offer(op, RECHECK_MS, TimeUnit.MILLISECONDS)) {
                checkAlive();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while handing work to the writer");
        }
    }

    private void checkFailure() throws IOException {
        if (failure != null && !discard) {
            throw reported(failure);
        }
    }

    /** A write failure is the destination's; anything else that ended the writer (a bug, an Error) is not. */
    private static IOException reported(Throwable t) {
        if (t instanceof IOException io) {
            return DestinationIOException.of(io);
        }
        // a new exception each time: a stream closed by try-with-resources reports it again, and the same
        // instance twice ("self-suppression") would hide it behind an IllegalArgumentException
        return new IOException("the file writer failed: " + t, t);
    }

    private void checkAlive() throws IOException {
        checkFailure();
        if (!thread.isAlive()) {
            throw new IOException("the file writer stopped");
        }
    }

    private void loop() {
        try {
            writeAll();
        } catch (Throwable t) {
            if (failure == null) {
                failure = t;
            }
        }
    }

    /** Set when the writer took its Stop: everything asked for before it was done (or dropped on purpose). */
    private volatile boolean finished;

    /** The file being written and its stream (null between files). */
    private Open current;
    private OutputStream out;

    private void writeAll() throws IOException {
        try {
            while (true) {
                Op op;
                try {
                    op = queue.take();
                } catch (InterruptedException e) {
                    return;
                }
                if (op instanceof Stop) {
                    dropCurrent();
                    finished = true;
                    return;
                }
                beforeEachOp.run();
                try {
                    if (failure != null || discard) {
                        dropCurrent();
                        if (op instanceof Data d) {
                            spare.offer(d.buffer);
                        }
                        continue;
                    }
                    perform(op);
                } catch (IOException e) {
                    failure = e;
                    dropCurrent();
                }
            }
        } finally {
            dropCurrent(); // a bug or an Error ends the writer: no temporary file stays
        }
    }

    private void perform(Op op) throws IOException {
        if (op instanceof Open o) {
            current = o;
            out = sparse ? new SparseOutput(FileChannel.open(o.path, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS))
                    : Files.newOutputStream(o.path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS);
        } else if (op instanceof Data d) {
            try {
                out.write(d.buffer, 0, d.length);
            } finally {
                spare.offer(d.buffer);
            }
        } else if (op instanceof CloseFile) {
            out.close();
            out = null;
            if (current.replacing != null) {
                // rename(2): the old file is there until the new one takes its name, never neither
                Files.move(current.path, current.replacing, StandardCopyOption.ATOMIC_MOVE);
            }
            current = null;
            filesWritten++;
        } else if (op instanceof Attributes a) {
            // the time first: setting it opens the file, which a mode like 0200 or 000 forbids its owner
            FileTimes.set(a.path, a.mtime);
            Files.setAttribute(a.path, "unix:mode", a.mode); // all twelve bits, sticky included
        }
    }

    /**
     * Gives up the file being written: closed; a temporary file that was to replace another is deleted (the old one
     * stays); a new file stays cut short, as the incomplete-restore note says.
     */
    private void dropCurrent() {
        closeQuietly(out);
        out = null;
        if (current != null && current.replacing != null) {
            try {
                Files.deleteIfExists(current.path);
            } catch (IOException e) {
                // the failure already reported is what matters; a hidden temporary file may stay
            }
        }
        current = null;
    }

    private static void closeQuietly(OutputStream out) {
        if (out != null) {
            try {
                out.close();
            } catch (IOException ignored) {
                // already failing or stopping
            }
        }
    }
}
