package dev.firesafe.source;

import dev.firesafe.archive.EntryWriter;
import dev.firesafe.archive.FileContent;
import dev.firesafe.archive.FileMeta;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Walks the sources and reads and hashes their files on a thread of its own, a bounded distance ahead of the
 * thread that writes the archive. Without it the writing thread stops at each file's first read to wait for a
 * cold disk, and the compressor, fed by that thread, waits with it; reading and hashing here also take their CPU
 * off the writing thread. The archive is the same as a walk on the writing thread would make: the writer applies
 * every step in walk order.
 *
 * <p>Memory is bounded: at most {@link #BUFFERS} buffers of {@link #BUFFER_SIZE} bytes of content and
 * {@link #STEPS} steps are in flight. Nothing is staged on disk.
 */
public final class ReadAhead implements AutoCloseable {

    static final int BUFFER_SIZE = 256 * 1024;
    /** 8 MiB ahead: at the writer's ~250 MB/s that is ~30 ms, well above a disk's latency per file. */
    static final int BUFFERS = 32;
    private static final int STEPS = 1024;
    /** How often a waiting writer checks that the reading thread is still there. */
    private static final int RECHECK_MS = 50;

    /** The sources' walk, run on the reading thread; it reports to the sink it is given. */
    public interface Walk {
        void run(SourceWalker.EntrySink sink) throws IOException;
    }

    /** One thing for the writer to do, in walk order. */
    private interface Step {
        void applyTo(EntryWriter writer) throws IOException;
    }

    /**
     * An incremental backup's look-up, on the reading thread: what the previous backup knew of a file the walk
     * found, when the file is unchanged by size, times, inode and device (then it is not read); else null.
     */
    public interface Unchanged {
        Unchanged NONE = (name, meta) -> null;

        Object previous(String name, FileMeta meta);
    }

    private static final Step END = writer -> {
    };

    private final BlockingQueue<Step> steps = new ArrayBlockingQueue<>(STEPS);
    private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(BUFFERS);
    private volatile int buffersMade;
    private final Thread thread;
    private volatile boolean closed;
    /**
     * Why the reading thread ended early, set before anything else is tried: handing the failure over as a step
     * may itself fail (an OutOfMemoryError allocates nothing to report the next one), and the writer must still
     * learn of it rather than wait for a step that never comes (issue #18: a backup hung after the reader died).
     */
    private volatile Throwable failure;

    private final Unchanged unchanged;

    private ReadAhead(Walk walk, Unchanged unchanged) {
        this.unchanged = unchanged;
        thread = new Thread(() -> run(walk), "firesafe-read");
        thread.setDaemon(true);
    }

    /** Starts walking and reading every file; {@link #drainInto} then writes what is read. */
    public static ReadAhead start(Walk walk) {
        return start(walk, Unchanged.NONE);
    }

    /** Starts walking and reading the files {@code unchanged} does not know. */
    public static ReadAhead start(Walk walk, Unchanged unchanged) {
        ReadAhead readAhead = new ReadAhead(walk, unchanged);
        readAhead.thread.start();
        return readAhead;
    }

    /**
     * Writes everything the walk finds into {@code writer}, in walk order, on the caller's thread; returns when the
     * walk has ended and throws what it failed with.
     */
    public void drainInto(EntryWriter writer) throws IOException {
        while (true) {
            Step step;
            try {
                step = steps.poll(RECHECK_MS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for source files to be read");
            }
            if (step == null) {
                step = readerGone();
                if (step == null) {
                    continue;
                }
            }
            if (step == END) {
                return;
            }
            step.applyTo(writer);
        }
    }

    /**
     * Nothing came for a while: the reading thread's failure if it failed, the steps it put just before it ended,
     * or a failure if it is gone without saying why; null while it still runs.
     */
    private Step readerGone() throws IOException {
        Throwable t = failure;
        if (t != null) {
            throw failed(t);
        }
        if (thread.isAlive()) {
            return null;
        }
        Step last = steps.poll(); // what it put before ending (END, or a failure step) is already there
        if (last != null) {
            return last;
        }
        t = failure;
        throw t != null ? failed(t) : new IOException("the thread reading the source files stopped unexpectedly");
    }

    private static IOException failed(Throwable t) {
        if (t instanceof IOException io) {
            return io;
        }
        if (t instanceof RuntimeException re) {
            throw re;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IOException("reading the source files failed: " + t, t);
    }

    /**
     * Stops the reading thread if it still runs (the archive failed); waits a little for it to let go of files,
     * even when this thread was interrupted (which is often why the archive failed).
     */
    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        boolean interrupted = Thread.interrupted();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            interrupted = true;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** For tests: whether the reading thread still runs, and how many content buffers it made. */
    boolean readerAlive() {
        return thread.isAlive();
    }

    int buffersMade() {
        return buffersMade;
    }

    private void run(Walk walk) {
        try {
            walk.run(new Reader());
            put(END);
        } catch (Throwable t) {
            failure = t; // first, allocating nothing: see the field
            if (!closed) {
                try {
                    put(writer -> {
                        throw failed(t);
                    });
                } catch (Throwable stopped) {
                    // closed meanwhile, or out of memory again: the writer finds the failure field instead
                }
            }
        }
    }

    /**
     * Unchanged files waiting to be handed over together, on the reading thread. An incremental backup finds most
     * files unchanged, and handing each over as a step of its own woke the writer once per file (two context
     * switches, for a step that takes microseconds). Every other step hands them over first, so walk order holds.
     */
    private final List<Step> unchangedBatch = new ArrayList<>();
    private static final int UNCHANGED_BATCH = 256;

    private void putUnchanged(Step step) throws InterruptedIOException {
        unchangedBatch.add(step);
        if (unchangedBatch.size() >= UNCHANGED_BATCH) {
            flushUnchanged();
        }
    }

    private void flushUnchanged() throws InterruptedIOException {
        if (unchangedBatch.isEmpty()) {
            return;
        }
        List<Step> batch = List.copyOf(unchangedBatch);
        unchangedBatch.clear();
        putNow(writer -> {
            for (Step s : batch) {
                s.applyTo(writer);
            }
        });
    }

    private void put(Step step) throws InterruptedIOException {
        flushUnchanged();
        putNow(step);
    }

    private void putNow(Step step) throws InterruptedIOException {
        try {
            steps.put(step);
        } catch (InterruptedException e) {
            throw new InterruptedIOException("backup stopped");
        }
    }

    /** The reading thread's side: turns what the walk finds and reads into steps for the writer. */
    private final class Reader implements SourceWalker.EntrySink, FileContent.Sink {
        private final MessageDigest sha256;

        Reader() {
            try {
                sha256 = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void directory(String name, FileMeta meta) throws IOException {
            put(writer -> writer.directory(name, meta));
        }

        @Override
        public void symlink(String name, String target, FileMeta meta) throws IOException {
            put(writer -> writer.symlink(name, target, meta));
        }

        @Override
        public void file(String name, Path path, FileMeta meta) throws IOException {
            Object previous = unchanged.previous(name, meta);
            if (previous != null) {
                putUnchanged(writer -> writer.unchangedFile(name, meta, previous));
                return;
            }
            FileContent.read(name, path, meta, sha256, this);
        }

        @Override
        public void warn(String name, String problem) throws IOException {
            put(writer -> writer.warn(name, problem));
        }

        @Override
        public void exactBytes(String name, byte[] path, byte[] linkTarget) throws IOException {
            put(writer -> writer.exactBytes(name, path, linkTarget));
        }

        @Override
        public byte[] buffer() throws IOException {
            byte[] buffer = free.poll();
            if (buffer != null) {
                return buffer;
            }
            if (buffersMade < BUFFERS) {
                buffersMade++;
                return new byte[BUFFER_SIZE];
            }
            try {
                return free.take();
            } catch (InterruptedException e) {
                throw new InterruptedIOException("backup stopped");
            }
        }

        @Override
        public void beginFile(String name, FileMeta meta) throws IOException {
            put(writer -> writer.beginFile(name, meta));
        }

        @Override
        public void fileData(byte[] buffer, int length) throws IOException {
            put(writer -> {
                writer.fileData(buffer, length);
                free.offer(buffer);
            });
        }

        @Override
        public void endFile(String name, FileMeta meta, String sha256Hex) throws IOException {
            put(writer -> writer.endFile(name, meta, sha256Hex));
        }
    }
}
