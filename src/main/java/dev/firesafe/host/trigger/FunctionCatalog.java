package dev.firesafe.host.trigger;

import dev.firesafe.core.FiresafeException;
import dev.firesafe.plan.FunctionDefinition;
import dev.firesafe.plan.PlanRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The functions the host runs: loaded once at start-up by {@code serve} (all of {@code functions/}), or one by
 * {@code run-function}. Triggers name functions; a message may also name a plan.
 */
@ApplicationScoped
public class FunctionCatalog {

    private final PlanRepository plans;
    private final Map<String, FunctionDefinition> functions = new LinkedHashMap<>();

    @Inject
    public FunctionCatalog(PlanRepository plans) {
        this.plans = plans;
    }

    /** Loads every function file; throws (naming the file and key) on the first invalid one. */
    public synchronized Collection<FunctionDefinition> loadAll() {
        functions.clear();
        for (FunctionDefinition f : plans.functions()) {
            functions.put(f.name(), f);
        }
        return all();
    }

    /** Loads one function file, for {@code run-function}. */
    public synchronized FunctionDefinition load(String name) {
        FunctionDefinition f = plans.function(name);
        functions.put(name, f);
        return f;
    }

    public synchronized Collection<FunctionDefinition> all() {
        return java.util.List.copyOf(functions.values());
    }

    public synchronized Optional<FunctionDefinition> find(String name) {
        return Optional.ofNullable(functions.get(name));
    }

    /** The function called {@code name}, else the one whose plan is called {@code name}. */
    public synchronized Optional<FunctionDefinition> byFunctionOrPlan(String name) {
        FunctionDefinition f = functions.get(name);
        if (f != null) {
            return Optional.of(f);
        }
        return functions.values().stream().filter(d -> d.plan().name().equals(name)).findFirst();
    }

    /**
     * The function or plan an event's subject names, if it declares a {@code kind} trigger; else why not, as a
     * {@link CloudEvent.Malformed} (the request can never succeed as sent).
     */
    public FunctionDefinition forEvent(String subject, dev.firesafe.plan.TriggerSpec.Kind kind) {
        FunctionDefinition f = byFunctionOrPlan(subject).orElseThrow(() -> new CloudEvent.Malformed(
                "subject '" + CloudEvent.shown(subject) + "' names no loaded function or plan"));
        if (!f.accepts(kind)) {
            throw new CloudEvent.Malformed("function '" + f.name() + "' has no " + kind.name().toLowerCase(
                    java.util.Locale.ROOT) + " trigger");
        }
        return f;
    }

    public FunctionDefinition require(String name) {
        return find(name).orElseThrow(() -> FiresafeException.usage("no function '" + name + "' is loaded"));
    }
}
