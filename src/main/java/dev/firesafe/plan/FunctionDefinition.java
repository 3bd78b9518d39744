package dev.firesafe.plan;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** A loaded, checked function file: the plan it runs, the triggers that run it, its WAL archiving if any. */
public record FunctionDefinition(String name, Path file, Plan plan, List<TriggerSpec> triggers,
                                 Optional<WalSpec> wal) {

    public FunctionDefinition {
        triggers = List.copyOf(triggers);
        wal = wal == null ? Optional.empty() : wal;
    }

    public FunctionDefinition(String name, Path file, Plan plan, List<TriggerSpec> triggers) {
        this(name, file, plan, triggers, Optional.empty());
    }

    /** Whether the file declares a trigger of this kind: message and HTTP requests run only such functions. */
    public boolean accepts(TriggerSpec.Kind kind) {
        return triggers.stream().anyMatch(t -> t.kind() == kind);
    }
}
