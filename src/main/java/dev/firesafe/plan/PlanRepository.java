package dev.firesafe.plan;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.firesafe.FiresafeException;
import dev.firesafe.archive.Compression;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Finds plans: {@code functions/NAME.yaml} first, then the {@code firesafe.plans.NAME.*} overrides on top.
 * Relative source paths are resolved against the working directory, as a shell would.
 */
@ApplicationScoped
public class PlanRepository {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Set<String> TRIGGER_TYPES = Set.of("timer", "startup", "message", "http");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

    private final FiresafeConfig config;

    @Inject
    public PlanRepository(FiresafeConfig config) {
        this.config = config;
    }

    /** The plan called {@code name}; {@code allowMissing} gives an empty plan to be filled from the CLI. */
    public Plan find(String name, boolean allowMissing) {
        checkName(name);
        Path file = Path.of(config.functionsDir()).resolve(name + ".yaml");
        Plan plan;
        if (Files.isRegularFile(file)) {
            plan = load(file, name);
        } else if (allowMissing) {
            plan = new Plan(name, List.of(), List.of(), Compression.byId(config.compression()),
                    Retention.KEEP_ALL);
        } else {
            throw FiresafeException.usage("no plan '" + name + "': expected " + file.toAbsolutePath()
                    + " (or give --source)");
        }
        return applyOverrides(plan);
    }

    public static void checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw FiresafeException.usage("plan name '" + name + "' must be 1-64 letters, digits, '.', '_' or '-'");
        }
    }

    Plan load(Path file, String name) {
        FunctionFile f;
        try {
            f = YAML.readValue(file.toFile(), FunctionFile.class);
        } catch (UnrecognizedPropertyException e) {
            throw FiresafeException.usage(file + ": unknown key '" + e.getPropertyName() + "' (known: "
                    + e.getKnownPropertyIds() + ")");
        } catch (IOException e) {
            throw FiresafeException.usage(file + ": not a valid function file: " + firstLine(e.getMessage()));
        }
        if (f == null || f.plan() == null) {
            throw FiresafeException.usage(file + ": has no 'plan:' section");
        }
        checkTriggers(file, f.triggers());
        FunctionFile.PlanSection p = f.plan();
        String planName = p.name() == null ? name : p.name();
        checkName(planName);
        List<SourceSpec> sources = p.sources() == null ? List.of() : p.sources().stream().map(s -> {
            if (s.path() == null || s.path().isBlank()) {
                throw FiresafeException.usage(file + ": a source has no 'path'");
            }
            return new SourceSpec(Path.of(s.path()), s.include(), s.exclude());
        }).toList();
        return new Plan(planName, sources, p.targets() == null ? List.of() : p.targets(),
                Compression.byId(p.compression() == null ? config.compression() : p.compression()),
                p.retention() == null ? Retention.KEEP_ALL : p.retention());
    }

    private static void checkTriggers(Path file, List<FunctionFile.TriggerSection> triggers) {
        if (triggers == null) {
            return;
        }
        for (FunctionFile.TriggerSection t : triggers) {
            if (t.type() == null || !TRIGGER_TYPES.contains(t.type())) {
                throw FiresafeException.usage(file + ": trigger type '" + t.type() + "' is not one of "
                        + TRIGGER_TYPES);
            }
        }
    }

    private Plan applyOverrides(Plan plan) {
        FiresafeConfig.PlanOverride o = config.plans().get(plan.name());
        if (o == null) {
            return plan;
        }
        Plan result = plan;
        Optional<List<String>> sources = o.sources();
        if (sources.isPresent()) {
            result = result.withSources(sources.get().stream().map(SourceSpec::of).toList());
        }
        if (o.targets().isPresent()) {
            result = result.withTargets(o.targets().get());
        }
        if (o.compression().isPresent()) {
            result = new Plan(result.name(), result.sources(), result.targets(),
                    Compression.byId(o.compression().get()), result.retention());
        }
        return result;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
