package dev.firesafe.trigger;

import dev.firesafe.drill.DrillService;
import dev.firesafe.plan.FunctionDefinition;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * A function's scheduled restore drill (trigger type {@code drill}), run through {@link FunctionRunner} so it never
 * overlaps a backup of the same function: a drill that finds the function busy is skipped and counted, like a
 * timer. The drill reports itself ({@link dev.firesafe.drill.DrillFinished}: metrics, webhook, drill events).
 */
@ApplicationScoped
public class FunctionDrills {

    static final String TRIGGER = "drill";

    private final FunctionRunner runner;
    private final DrillService drills;

    @Inject
    public FunctionDrills(FunctionRunner runner, DrillService drills) {
        this.runner = runner;
        this.drills = drills;
    }

    /** Starts a drill of every target of {@code function} unless it is busy; false when skipped. */
    public boolean request(FunctionDefinition function) {
        return runner.exclusive(function.name(), TRIGGER, () -> drills.drill(function.plan(), null, null));
    }
}
