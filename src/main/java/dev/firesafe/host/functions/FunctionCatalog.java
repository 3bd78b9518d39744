package dev.firesafe.host.functions;

import dev.firesafe.core.FiresafeConfig;
import dev.firesafe.core.FiresafeException;
import dev.firesafe.plan.FunctionDefinition;
import dev.firesafe.plan.Plan;
import dev.firesafe.plan.PlanRepository;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The one owner of the loaded functions: {@code serve} loads every file of {@code functions/} once, at start;
 * {@code run-function} loads one. Triggers, health checks, metrics and the HTTP endpoints all ask here, so a
 * function file is read once per process and every part of the host sees the same set.
 */
public final class FunctionCatalog {

    private final PlanRepository plans;
    private final FiresafeConfig config;
    private final Map<String, FunctionDefinition> functions = new LinkedHashMap<>();
    private boolean loadedAll;

    public FunctionCatalog(PlanRepository plans, FiresafeConfig config) {
        this.plans = plans;
        this.config = config;
    }

    /**
     * Every function file, loaded and checked on the first call (throws, naming the file and key, on the first
     * invalid one: a host never runs a partial set); later calls answer what was loaded.
     */
    public synchronized Collection<FunctionDefinition> loadAll() {
        if (!loadedAll) {
            functions.clear();
            for (FunctionDefinition f : plans.functions()) {
                functions.put(f.name(), f);
            }
            loadedAll = true;
        }
        return all();
    }

    /**
     * The functions as {@link #loadAll()} loads them, or none when they do not load: for health checks and gauges
     * registered at start (the host then refuses to start, and the readiness check says why).
     */
    public List<FunctionDefinition> loadedOrNone() {
        try {
            return List.copyOf(loadAll());
        } catch (FiresafeException e) {
            return List.of();
        }
    }

    /** Loads one function file, for {@code run-function}. */
    public synchronized FunctionDefinition load(String name) {
        FunctionDefinition f = functions.get(name);
        if (f == null) {
            f = plans.function(name);
            functions.put(name, f);
        }
        return f;
    }

    /** The functions loaded so far. */
    public synchronized List<FunctionDefinition> all() {
        return List.copyOf(functions.values());
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

    public FunctionDefinition require(String name) {
        return find(name).orElseThrow(() -> FiresafeException.usage("no function '" + name + "' is loaded"));
    }

    /** The targets a plan writes: its own, else the default target. */
    public List<String> targetsOf(Plan plan) {
        return plan.targetsOrDefault(config.defaultTarget());
    }

    /** The folder the function files are read from, for messages. */
    public String folder() {
        return config.functionsDir();
    }
}
