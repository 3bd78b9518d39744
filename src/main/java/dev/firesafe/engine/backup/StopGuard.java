package dev.firesafe.engine.backup;

import dev.firesafe.store.Store;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * What a stop during a backup does (SIGTERM: {@code systemctl stop}, {@code docker stop}, a pod deleted; SIGINT:
 * Ctrl-C). The JVM runs its shutdown hooks and exits without waiting for the backup's threads, so before this a
 * stopped backup printed nothing and left its uploads as they were: a hidden {@code .ID.firesafe.partial} of
 * hundreds of MB in a local target, an unfinished multipart upload in S3 (issue #19). Now a stop before the
 * uploads are committed aborts every one of them and says that no backup was made; a stop while they are being
 * committed waits for that (it takes a sync and a rename or a last request) and says the backup was stored.
 * (SIGKILL runs nothing; {@code dev.firesafe.store.local.PartialOwner} sweeps what it leaves.)
 */
public final class StopGuard implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(StopGuard.class);
    /** The guards of the backups this process is running. */
    private static final Set<StopGuard> ACTIVE = ConcurrentHashMap.newKeySet();
    /** How long a stop waits for commits that have begun. */
    static final Duration COMMIT_WAIT = Duration.ofSeconds(60);

    private enum State { RUNNING, COMMITTING, COMMITTED, STOPPED }

    private record Open(String target, Store.Upload upload) {
    }

    private final String plan;
    private final List<Open> uploads = new ArrayList<>();
    private final CountDownLatch commitsEnded = new CountDownLatch(1);
    private final Thread onStop;
    private State state = State.RUNNING;
    private String id;
    /** Held while a stop runs, so a second caller returns once the first has said what happened. */
    private final Object stopping = new Object();
    private boolean stopRan;

    private StopGuard(String plan) {
        this.plan = plan;
        this.onStop = new Thread(this::stop, "firesafe-backup-on-stop");
    }

    /** Guards a backup of {@code plan} from now until {@link #close()}. */
    static StopGuard guard(String plan) {
        StopGuard guard = new StopGuard(plan);
        try {
            Runtime.getRuntime().addShutdownHook(guard.onStop);
            ACTIVE.add(guard);
        } catch (IllegalStateException stopping) {
            guard.state = State.STOPPED; // started as the process stops: it must not write anything
        }
        return guard;
    }

    /**
     * Stops every backup this process is running now, as its shutdown hook would. The function host calls this
     * first in its own shutdown: the JVM runs the shutdown hooks side by side, and a hook that spoke after Quarkus
     * had closed its logging got its line marked "[Error Occurred After Shutdown]".
     */
    public static void stopAll() {
        for (StopGuard guard : ACTIVE) {
            guard.stop();
        }
    }

    /** The thread a stop runs (tests). */
    Thread onStop() {
        return onStop;
    }

    synchronized void backupId(String backupId) {
        this.id = backupId;
    }

    /** An upload the backup opened on {@code target}; aborted at once if the process is stopping. */
    void opened(String target, Store.Upload upload) {
        synchronized (this) {
            if (state != State.STOPPED) {
                uploads.add(new Open(target, upload));
                return;
            }
        }
        upload.abort();
        throw stoppedFailure();
    }

    /** Whether the uploads may be committed now: false when a stop has aborted them. */
    synchronized boolean beginCommits() {
        if (state == State.STOPPED) {
            return false;
        }
        state = State.COMMITTING;
        return true;
    }

    /** Every upload is committed or failed: a stop from now on has nothing to abort. */
    void commitsEnded() {
        synchronized (this) {
            if (state == State.COMMITTING) {
                state = State.COMMITTED;
            }
        }
        commitsEnded.countDown();
    }

    synchronized boolean stopped() {
        return state == State.STOPPED;
    }

    /** What the backup's own thread throws once the stop has aborted its uploads (its writes fail after that). */
    BackupStoppedException stoppedFailure() {
        return new BackupStoppedException(plan);
    }

    private void stop() {
        synchronized (stopping) {
            if (!stopRan) {
                stopRan = true;
                stopOnce();
            }
        }
    }

    private void stopOnce() {
        List<Open> toAbort;
        State was;
        synchronized (this) {
            was = state;
            if (state == State.RUNNING) {
                state = State.STOPPED;
            }
            toAbort = List.copyOf(uploads);
        }
        if (was == State.RUNNING) {
            List<String> removed = new ArrayList<>();
            for (Open open : toAbort) {
                try {
                    open.upload().abort();
                    removed.add(open.target());
                } catch (RuntimeException e) {
                    LOG.warnf("could not remove the partial upload on %s: %s", open.target(), e.getMessage());
                }
            }
            LOG.errorf("backup %sof plan %s STOPPED (the process was asked to stop: SIGTERM or Ctrl-C): no backup "
                    + "was made%s", id == null ? "" : id + " ", plan, removed.isEmpty() ? ""
                    : "; its partial upload was removed from " + String.join(", ", removed));
            return;
        }
        if (was == State.COMMITTING) {
            try {
                commitsEnded.await(COMMIT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        LOG.warnf("stopped after backup %s of plan %s was written: it is stored on the targets that did not "
                + "report an error (see 'list'); retention and after hooks may not have run", id, plan);
    }

    @Override
    public void close() {
        ACTIVE.remove(this);
        commitsEnded.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(onStop);
        } catch (IllegalStateException stopping) {
            // shutdown has begun: the hook runs (or ran) and finds the state it needs
        }
    }
}
