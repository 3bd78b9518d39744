package dev.firesafe.host.trigger;

import dev.firesafe.host.functions.FunctionCatalog;

import dev.firesafe.plan.FunctionDefinition;
import dev.firesafe.plan.TriggerSpec;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The read side of the function host, for {@code GET /functions}, health checks and metrics: per function its
 * triggers, next timer fire, next drill, the run going or queued, the last finished run and the skipped and coalesced counts.
 */
@ApplicationScoped
public class FunctionStatus {

    /**
     * One function's state; {@code running}, {@code queued}, {@code lastRun}, {@code nextFire} and
     * {@code nextDrill} may be null. {@code skipped} counts timer, startup and drill triggers that found the
     * function busy.
     */
    @io.quarkus.runtime.annotations.RegisterForReflection
    public record View(String name, String plan, List<String> triggers, Instant nextFire, Instant nextDrill,
                       RunState running,
                       RunState queued, RunState lastRun, long skipped, long coalesced) {
    }

    private final FunctionCatalog catalog;
    private final FunctionRunner runner;
    private final TimerTriggers timers;

    @Inject
    public FunctionStatus(FunctionCatalog catalog, FunctionRunner runner, TimerTriggers timers) {
        this.catalog = catalog;
        this.runner = runner;
        this.timers = timers;
    }

    public List<View> all() {
        return catalog.all().stream().map(this::view).toList();
    }

    public Optional<View> of(String function) {
        return catalog.find(function).map(this::view);
    }

    private View view(FunctionDefinition f) {
        FunctionRunner.Snapshot s = runner.snapshot(f.name());
        return new View(f.name(), f.plan().name(), f.triggers().stream().map(TriggerSpec::describe).toList(),
                timers.nextFireTime(f.name()).orElse(null),
                timers.nextFireTime(f.name(), TriggerSpec.Kind.DRILL).orElse(null), s.running(), s.queued(), s.last(), s.skipped(),
                s.coalesced());
    }
}
