package dev.firesafe.host.trigger;

import dev.firesafe.core.ExitCode;
import dev.firesafe.core.FiresafeException;
import dev.firesafe.engine.backup.BackupResult;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The one coordinator every trigger calls. Per function it guarantees: never two runs at once; a request while a
 * run is queued joins it, a request while one is going queues at most ONE more (so a burst of N requests gives at
 * most two runs); timer and startup requests that find the function busy are skipped. It keeps the last run of
 * each function, the skipped and coalesced counts, and recent runs by id.
 *
 * <p>Other work on a function's backups (a scheduled restore drill) goes through {@link #exclusive}: it takes the
 * same slot, so it never overlaps a backup of that function; it is skipped and counted when the function is busy,
 * and a backup requested meanwhile waits for it (timers: skipped).
 *
 * <p>A queued run starts after the debounce window ({@code firesafe.triggers.debounce}), so a burst that arrives
 * over a few seconds still gives one run.
 *
 * <p>Built once per process by {@code app.Services.runner()}, for {@code run-function} and for the host's
 * triggers alike; {@code listener} hears every finished run (under Quarkus: the CDI event {@link RunFinished}).
 */
public class FunctionRunner {

    private static final Logger LOG = Logger.getLogger(FunctionRunner.class);
    private static final int KEPT_RUNS = 1000;

    /** A run and what is waiting for it. */
    public static final class Run {
        private final CompletableFuture<RunState> done = new CompletableFuture<>();
        private volatile RunState state;

        Run(RunState queued) {
            this.state = queued;
        }

        public String id() {
            return state.id();
        }

        public RunState state() {
            return state;
        }

        /** Completes when the run ended, successfully or not (never exceptionally). */
        public CompletableFuture<RunState> done() {
            return done;
        }
    }

    /** Per-function bookkeeping; guarded by its own monitor. */
    private static final class Slot {
        Run running;
        Run pending;
        /** The trigger of the exclusive work (a drill) holding the function, or null. */
        String exclusive;
        long skipped;
        long coalesced;
        RunState last;

        boolean busy() {
            return running != null || pending != null || exclusive != null;
        }
    }

    private final RunAction action;
    private final Duration debounce;
    private final Consumer<RunFinished> listener;
    private final Clock clock;
    private final Map<String, Slot> slots = new ConcurrentHashMap<>();
    private final Map<String, Run> runs = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Run> eldest) {
            return size() > KEPT_RUNS;
        }
    };
    private final ExecutorService workers = Executors.newCachedThreadPool(named("firesafe-run"));
    private final ScheduledExecutorService starter = Executors.newSingleThreadScheduledExecutor(
            named("firesafe-debounce"));
    private volatile boolean stopping;

    public FunctionRunner(RunAction action, Duration debounce, Consumer<RunFinished> listener, Clock clock) {
        this.action = action;
        this.debounce = debounce;
        this.listener = listener;
        this.clock = clock;
    }

    /**
     * Asks for a run of {@code function}. Returns the run that will cover this request (new or joined), or empty
     * when the request was skipped under {@link Policy#SKIP_IF_BUSY}.
     */
    public Optional<Run> request(String function, String trigger, Policy policy) {
        Slot slot = slots.computeIfAbsent(function, f -> new Slot());
        synchronized (slot) {
            if (slot.busy() && policy == Policy.SKIP_IF_BUSY) {
                skip(function, trigger, slot);
                return Optional.empty();
            }
            if (slot.pending != null) {
                slot.coalesced++;
                return Optional.of(slot.pending);
            }
            Run run = new Run(new RunState(UUID.randomUUID().toString(), function, trigger, RunState.Status.QUEUED,
                    clock.instant(), null, null, null, 0, null, null));
            synchronized (runs) {
                runs.put(run.id(), run);
            }
            slot.pending = run;
            if (slot.running == null && slot.exclusive == null) {
                scheduleStart(function, slot);
            }
            return Optional.of(run);
        }
    }

    /**
     * Runs {@code work} (a drill) on a worker when {@code function} has no run going or queued and no other
     * exclusive work; otherwise skips it, counts it as skipped and returns false. Until {@code work} returns, a
     * timer request is skipped and any other request queues a run that starts afterwards. {@code work} reports
     * its own outcome; an exception from it is logged here. The future completes when {@code work} has ended.
     */
    public Optional<CompletableFuture<Void>> exclusive(String function, String trigger, Runnable work) {
        Slot slot = slots.computeIfAbsent(function, f -> new Slot());
        synchronized (slot) {
            if (slot.busy()) {
                skip(function, trigger, slot);
                return Optional.empty();
            }
            slot.exclusive = trigger;
        }
        CompletableFuture<Void> ended = new CompletableFuture<>();
        Runnable guarded = () -> {
            try {
                work.run();
            } catch (FiresafeException e) {
                LOG.errorf("function %s: %s failed (exit %d): %s", function, trigger, e.exitCode().code,
                        e.getMessage());
            } catch (RuntimeException e) {
                LOG.errorf(e, "function %s: %s failed unexpectedly", function, trigger);
            } finally {
                synchronized (slot) {
                    slot.exclusive = null;
                    if (slot.pending != null) {
                        scheduleStart(function, slot);
                    }
                }
                ended.complete(null);
            }
        };
        try {
            workers.execute(guarded);
        } catch (java.util.concurrent.RejectedExecutionException stopping) {
            synchronized (slot) {
                slot.exclusive = null; // shutting down: nothing started, so nothing holds the function
            }
            return Optional.empty();
        }
        return Optional.of(ended);
    }

    private static void skip(String function, String trigger, Slot slot) {
        slot.skipped++;
        LOG.infof("function %s: %s trigger skipped, %s (%d skipped so far)", function, trigger,
                slot.running != null ? "a run is going" : slot.pending != null ? "a run is queued"
                        : "a " + slot.exclusive + " is going", slot.skipped);
    }

    public Optional<RunState> run(String id) {
        synchronized (runs) {
            return Optional.ofNullable(runs.get(id)).map(Run::state);
        }
    }

    /** A consistent copy of one function's counters and runs. */
    public record Snapshot(RunState running, RunState queued, RunState last, long skipped, long coalesced) {
    }

    public Snapshot snapshot(String function) {
        Slot slot = slots.get(function);
        if (slot == null) {
            return new Snapshot(null, null, null, 0, 0);
        }
        synchronized (slot) {
            return new Snapshot(slot.running == null ? null : slot.running.state,
                    slot.pending == null ? null : slot.pending.state, slot.last, slot.skipped, slot.coalesced);
        }
    }

    private void scheduleStart(String function, Slot slot) {
        starter.schedule(() -> start(function, slot), debounce.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void start(String function, Slot slot) {
        Run run;
        synchronized (slot) {
            run = slot.pending;
            slot.pending = null;
            slot.running = run;
            RunState q = run.state;
            run.state = new RunState(q.id(), q.function(), q.trigger(), RunState.Status.RUNNING, q.queued(),
                    clock.instant(), null, null, 0, null, null);
        }
        workers.execute(() -> execute(function, slot, run));
    }

    private void execute(String function, Slot slot, Run run) {
        RunState started = run.state;
        LOG.infof("function %s: run %s started (%s trigger)", function, run.id(), started.trigger());
        BackupResult result = null;
        String error = null;
        ExitCode exit;
        try {
            result = action.run(function);
            exit = result.exitCode();
            if (!result.ok()) {
                error = result.targets().stream().filter(t -> !t.ok()).map(t -> t.target() + ": " + t.error())
                        .reduce((a, b) -> a + "; " + b).orElse("a target failed");
            } else if (exit != ExitCode.OK) {
                error = result.problem(); // stored, but incomplete: never reported as a success
            }
        } catch (FiresafeException e) {
            exit = e.exitCode();
            error = e.getMessage();
        } catch (RuntimeException | Error e) {
            exit = ExitCode.FAILURE;
            error = "internal error: " + e.getClass().getSimpleName();
            LOG.errorf(e, "function %s: run %s failed unexpectedly", function, run.id());
        }
        if (stopping && exit != ExitCode.OK && exit != ExitCode.INCOMPLETE) { // an incomplete backup was stored
            // cut short by shutdown, not a failure of the backup: leave its requests unanswered (a message stays
            // unacknowledged, so the broker redelivers it to the next host)
            LOG.warnf("function %s: run %s stopped by shutdown", function, run.id());
            return;
        }
        RunState ended = new RunState(started.id(), function, started.trigger(),
                exit == ExitCode.OK ? RunState.Status.SUCCEEDED : RunState.Status.FAILED, started.queued(),
                started.started(), clock.instant(), result == null ? null : result.id(),
                result == null ? 0 : result.bytesOut(), error, exit.code);
        run.state = ended;
        if (error == null) {
            LOG.infof("function %s: run %s succeeded: backup %s, %d bytes", function, run.id(), ended.backupId(),
                    ended.bytes());
        } else {
            LOG.errorf("function %s: run %s FAILED (exit %d): %s", function, run.id(), exit.code, error);
        }
        try {
            listener.accept(new RunFinished(ended, result));
        } catch (RuntimeException e) {
            LOG.errorf(e, "function %s: reporting run %s failed", function, run.id());
        }
        synchronized (slot) {
            slot.last = ended;
            slot.running = null;
            if (slot.pending != null) {
                scheduleStart(function, slot);
            }
        }
        run.done.complete(ended);
    }

    /**
     * Starts nothing more; a run that is going is not interrupted (the process exit ends it, as a crash would).
     * Called when the process shuts down: first by the host (FunctionHost's shutdown), then by app.Services#close;
     * calling it again does nothing more.
     */
    public void stop() {
        stopping = true;
        starter.shutdownNow();
        workers.shutdown();
    }

    /** After {@link #stop()}: waits for the runs still going to end (the stopping host, tests). */
    boolean awaitStopped(Duration timeout) throws InterruptedException {
        return workers.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static java.util.concurrent.ThreadFactory named(String prefix) {
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
