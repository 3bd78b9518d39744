package dev.firesafe.plan;

import java.nio.file.Path;
import java.util.List;

/** A loaded, checked function file: the plan it runs and the triggers that run it. */
public record FunctionDefinition(String name, Path file, Plan plan, List<TriggerSpec> triggers) {

    public FunctionDefinition {
        triggers = List.copyOf(triggers);
    }
}
