package dev.firesafe.plan;

import java.nio.file.Path;
import java.util.List;

/** A loaded, checked function file: the plan it runs and the triggers that run it. */
public record FunctionDefinition(String name, Path file, Plan plan, List<TriggerSpec> triggers) {

    public FunctionDefinition {
        triggers = List.copyOf(triggers);
    }

    /** Whether the file declares a trigger of this kind: message and HTTP requests run only such functions. */
    public boolean accepts(TriggerSpec.Kind kind) {
        return triggers.stream().anyMatch(t -> t.kind() == kind);
    }
}
