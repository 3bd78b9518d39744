package dev.firesafe.host.trigger;

import dev.firesafe.core.FiresafeException;
import dev.firesafe.crypto.KeySource;
import dev.firesafe.engine.backup.StopGuard;
import dev.firesafe.host.notify.Notifier;
import dev.firesafe.plan.FunctionDefinition;
import dev.firesafe.plan.TriggerSpec;
import dev.firesafe.host.functions.FunctionCatalog;
import dev.firesafe.store.StoreRegistry;
import io.quarkus.arc.All;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The function host's start: an application-level bean that always exists and observes {@link StartupEvent}
 * itself (the original system's startup handler sat on a sub-application and never fired). In {@code serve} mode
 * it loads every function file, checks the HTTP token rule (and warns when CloudEvents need no token) and the
 * webhook URL, registers the timers, schedules the startup triggers and logs each trigger. One-shot commands
 * ({@code firesafe.triggers.mode=cli}) start nothing here.
 *
 * <p>A failure (invalid function file, missing token, unusable webhook URL) is kept, not thrown from the observer, so {@code serve}
 * reports it as one clear line with exit code 2 instead of a framework stack trace.
 */
@ApplicationScoped
public class FunctionHost {

    private static final Logger LOG = Logger.getLogger(FunctionHost.class);
    /** How long a stopping host waits for its stopped runs to end (docker stop allows 10 s in all). */
    private static final Duration RUNS_END = Duration.ofSeconds(5);

    private final FunctionCatalog catalog;
    private final FunctionRunner runner;
    private final TimerTriggers timers;
    private final List<HostStartCheck> checks;
    private final StoreRegistry stores;
    private final TriggerConfig triggerConfig;
    private final KeySource keys;
    private final Notifier notifier;
    private final boolean serve;
    private final ScheduledExecutorService delays = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "firesafe-startup-delay");
        t.setDaemon(true);
        return t;
    });
    /**
     * Each startup trigger fires on a thread of its own: its catch-up decision lists the function's targets, and
     * a target that does not answer (a NAS half up, a hung mount) must delay only its own function, not the rest.
     */
    private final ExecutorService startups = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "firesafe-startup-trigger");
        t.setDaemon(true);
        return t;
    });
    private volatile FiresafeException startFailure;
    private final java.util.concurrent.CompletableFuture<Void> started = new java.util.concurrent.CompletableFuture<>();

    @Inject
    public FunctionHost(FunctionCatalog catalog, FunctionRunner runner, TimerTriggers timers,
                        @All List<HostStartCheck> checks, StoreRegistry stores, TriggerConfig triggerConfig,
                        KeySource keys, Notifier notifier) {
        this.keys = keys;
        this.notifier = notifier;
        this.catalog = catalog;
        this.runner = runner;
        this.timers = timers;
        this.checks = checks;
        this.stores = stores;
        this.triggerConfig = triggerConfig;
        this.serve = triggerConfig.mode().equals("serve");
    }

    void onStart(@Observes StartupEvent event) {
        if (!serve) {
            return;
        }
        try {
            checks.forEach(c -> c.check().ifPresent(LOG::warn));
            notifier.check();
            List<FunctionDefinition> functions = List.copyOf(catalog.loadAll());
            LOG.infof("function host: %d function(s) from %s", functions.size(), catalog.folder());
            DrillKeyCheck.warning(functions, keys).ifPresent(LOG::warn);
            for (FunctionDefinition f : functions) {
                timers.register(f);
                if (f.triggers().isEmpty()) {
                    LOG.infof("function %s (plan %s): no triggers; run it with run-function %s", f.name(),
                            f.plan().name(), f.name());
                }
                for (TriggerSpec t : f.triggers()) {
                    LOG.infof("function %s (plan %s): registered trigger: %s", f.name(), f.plan().name(),
                            t.describe());
                }
                f.triggers().stream().filter(t -> t.kind() == TriggerSpec.Kind.STARTUP)
                        .forEach(t -> scheduleStartup(f, t));
            }
            started.complete(null);
        } catch (FiresafeException e) {
            startFailure = e;
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        // First, while Quarkus' logging and channels still work: stop the running backups (their partial uploads
        // go) and give their runs a moment to end, log and report. Otherwise they spoke after the shutdown, in
        // lines marked "[Error Occurred After Shutdown]", and their run events found no channel.
        StopGuard.stopAll();
        runner.stop();
        try {
            runner.awaitStopped(RUNS_END);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        delays.shutdownNow();
        startups.shutdownNow();
    }

    /** Why the host could not start, for {@code serve} to report and exit. */
    public Optional<FiresafeException> startFailure() {
        return Optional.ofNullable(startFailure);
    }

    /**
     * Completes once every function and trigger is registered; never, in one-shot mode or when start-up failed,
     * so messages taken early wait (unacknowledged) instead of being judged against an empty catalog.
     */
    public java.util.concurrent.CompletionStage<Void> started() {
        return started;
    }

    private void scheduleStartup(FunctionDefinition f, TriggerSpec t) {
        Duration delay = t.delay().isZero() && t.catchUp() ? triggerConfig.catchUpDelay() : t.delay();
        delays.schedule(() -> startups.execute(() -> fireStartup(f, t)), delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void fireStartup(FunctionDefinition f, TriggerSpec t) {
        if (t.catchUp()) {
            List<String> targets = catalog.targetsOf(f.plan());
            Optional<String> due = CatchUp.reason(f, targets, stores::open, Clock.systemUTC().instant());
            if (due.isEmpty()) {
                LOG.infof("function %s: startup catch-up not needed, no scheduled run was missed since the newest "
                        + "backup", f.name());
                return;
            }
            LOG.infof("function %s: startup catch-up: %s", f.name(), due.get());
        }
        runner.request(f.name(), "startup", Policy.SKIP_IF_BUSY);
    }
}
