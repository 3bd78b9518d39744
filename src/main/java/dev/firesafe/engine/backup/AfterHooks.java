package dev.firesafe.engine.backup;

import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * A plan's {@code after} hooks run exactly once per backup: by the backup when it ends, or, when the process is
 * stopped while the backup is going (SIGTERM: {@code systemctl stop}, {@code docker stop}, a pod deleted), by a
 * shutdown hook before the JVM exits, with {@code FIRESAFE_BACKUP_STATUS=failed}. The JVM does not wait for the
 * backup's thread, so without this a {@code before} hook that paused an application would leave it paused. When
 * the stop comes while the backup is running its after hooks itself, the shutdown waits for them. (SIGKILL runs
 * nothing at all.)
 */
final class AfterHooks implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(AfterHooks.class);

    private final AtomicBoolean claimed = new AtomicBoolean();
    private final CountDownLatch ran = new CountDownLatch(1);
    private final Thread onStop;

    /** {@code runAll} runs every after hook with the given status and reports its own failures. */
    private AfterHooks(String plan, Consumer<String> runAll, Duration wait) {
        onStop = new Thread(() -> {
            if (claim()) {
                LOG.warnf("stopped during the backup of plan %s: running its after hooks", plan);
                runAll.accept("failed");
            } else {
                try {
                    ran.await(wait.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }, "firesafe-after-hooks-on-stop");
    }

    /**
     * Guards a backup of {@code plan}, which has {@code count} after hooks; close it when the backup has ended.
     * Without after hooks a stop has nothing to run, so nothing is registered (and nothing claims it ran them).
     */
    static AfterHooks guard(String plan, int count, Consumer<String> runAll, Duration wait) {
        AfterHooks hooks = new AfterHooks(plan, runAll, wait);
        if (count == 0) {
            return hooks;
        }
        try {
            Runtime.getRuntime().addShutdownHook(hooks.onStop);
        } catch (IllegalStateException stopping) {
            // the process is already stopping: the backup will not get far, and nothing more can be registered
        }
        return hooks;
    }

    /** The thread a stop runs (tests: whether it is registered). */
    Thread onStop() {
        return onStop;
    }

    /** Whether the backup may run the after hooks now: false when a stop has taken them over. */
    boolean claim() {
        return claimed.compareAndSet(false, true);
    }

    /** The backup has ended, its after hooks run: a stop from now on has nothing to wait for. */
    @Override
    public void close() {
        ran.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(onStop);
        } catch (IllegalStateException stopping) {
            // shutdown has begun: the hook runs (or ran) and finds the after hooks claimed
        }
    }
}
