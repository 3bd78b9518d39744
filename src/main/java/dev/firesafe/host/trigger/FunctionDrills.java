package dev.firesafe.host.trigger;

import dev.firesafe.engine.drill.DrillFinished;
import dev.firesafe.engine.drill.DrillService;
import dev.firesafe.plan.FunctionDefinition;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A function's scheduled restore drill (trigger type {@code drill}), run through {@link FunctionRunner} so it never
 * overlaps a backup of the same function: a drill that finds the function busy is skipped and counted, like a
 * timer. The drill reports itself ({@link dev.firesafe.engine.drill.DrillFinished}: metrics, webhook, drill events).
 */
@ApplicationScoped
public class FunctionDrills {

    static final String TRIGGER = "drill";
    private static final Logger LOG = Logger.getLogger(FunctionDrills.class);

    private final FunctionRunner runner;
    private final DrillService drills;

    @Inject
    public FunctionDrills(FunctionRunner runner, DrillService drills) {
        this.runner = runner;
        this.drills = drills;
    }

    /**
     * Starts a drill of every target of {@code function} unless it is busy; empty when skipped, else completes
     * when the drill has ended and reported.
     */
    public Optional<CompletableFuture<Void>> request(FunctionDefinition function) {
        return runner.exclusive(function.name(), TRIGGER, () -> {
            LOG.infof("function %s: drill started (drill trigger)", function.name());
            drills.drill(function.plan(), null, null);
        });
    }
}
