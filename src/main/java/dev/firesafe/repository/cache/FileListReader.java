package dev.firesafe.repository.cache;

import dev.firesafe.repository.format.TreeEntry;
import org.jboss.logging.Logger;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The previous backup's file list, decrypted and decoded on a thread of its own, a few hundred entries ahead of
 * the walk that asks for them. An unchanged backup's walk spent half its time here (AES-GCM of a cold JVM, and
 * decoding), on the one thread that sets the backup's pace, while the writing thread mostly waited
 * (docs/benchmarks.md, "Unchanged backups"). Memory stays bounded: at most {@link #BATCHES} batches wait.
 *
 * <p>An unreadable or damaged list ends the list where it breaks (logged): the files it did not give are read
 * again, which costs time, never a wrong backup.
 */
final class FileListReader implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(FileListReader.class);
    private static final int BATCH = 256;
    private static final int BATCHES = 8;
    /** After the last entry, or where the list broke. */
    private static final List<TreeEntry> END = List.of();

    private final BlockingQueue<List<TreeEntry>> batches = new ArrayBlockingQueue<>(BATCHES);
    private final Thread decoder;
    private volatile boolean closed;
    private List<TreeEntry> batch = new ArrayList<>();
    private int taken;
    private boolean ended;

    /**
     * Decodes {@code in} against {@code objects}, the cache's object numbers as they were when the list was
     * opened (a copy: the backup adds its own while the list is read).
     */
    FileListReader(DataInputStream in, List<String> objects, String where) {
        List<String> known = List.copyOf(objects);
        decoder = new Thread(() -> decode(in, known, where), "firesafe-cache-read");
        decoder.setDaemon(true);
        decoder.start();
    }

    private void decode(DataInputStream in, List<String> objects, String where) {
        List<TreeEntry> next = new ArrayList<>(BATCH);
        try (in) {
            while (true) {
                TreeEntry e;
                try {
                    e = TreeEntry.read(in, objects);
                } catch (EOFException end) {
                    break;
                }
                next.add(e);
                if (next.size() == BATCH) {
                    List<TreeEntry> full = next;
                    next = new ArrayList<>(BATCH);
                    batches.put(full);
                }
            }
        } catch (InterruptedException stopped) {
            return; // closed: nobody takes what is left
        } catch (Throwable e) {
            if (!closed) { // closing interrupts a read, which ends in ClosedByInterruptException: not news
                // the first line: Tink's stream errors go on to describe the stream's state over several
                LOG.infof("the local cache's file list %s cannot be read (%s); files it lists are read again",
                        where, String.valueOf(e.getMessage()).lines().findFirst().orElse(e.toString()));
            }
        }
        try {
            if (!next.isEmpty()) {
                batches.put(next); // what was read before the list broke still counts
            }
            batches.put(END);
        } catch (InterruptedException stopped) {
            // closed meanwhile
        }
    }

    /** The next entry of the list, or null after the last one (or where the list broke). */
    TreeEntry next() {
        while (taken == batch.size()) {
            if (ended) {
                return null;
            }
            batch = take();
            taken = 0;
            ended = batch == END;
        }
        return batch.get(taken++);
    }

    /** The next batch; the end if the decoding thread died without saying so (it always does, barring a VM error). */
    private List<TreeEntry> take() {
        try {
            while (true) {
                List<TreeEntry> b = batches.poll(1, TimeUnit.SECONDS);
                if (b != null) {
                    return b;
                }
                if (!decoder.isAlive() && batches.isEmpty()) {
                    return END;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return END;
        }
    }

    /** Stops the decoding; the stream is closed by the decoding thread as it ends. */
    @Override
    public void close() {
        closed = true;
        ended = true;
        decoder.interrupt();
        batches.clear();
    }
}
