package dev.firesafe.plan;

import dev.firesafe.core.Durations;
import dev.firesafe.core.FiresafeConfig;
import dev.firesafe.core.FiresafeException;
import dev.firesafe.archive.Compression;
import dev.firesafe.archive.FileNames;
import dev.firesafe.store.StoreRegistry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Finds plans: {@code functions/NAME.yaml} first, then the {@code firesafe.plans.NAME.*} overrides on top.
 * Relative source paths are resolved against the working directory, as a shell would.
 */
public class PlanRepository {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern ENTRY_NAME = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._/-]{0,200}[A-Za-z0-9._-]|[A-Za-z0-9_-]");
    private static final Pattern DB_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,62}");

    private final FiresafeConfig config;
    private final StoreRegistry stores;
    private final Map<Path, FunctionFile> parsed = new java.util.concurrent.ConcurrentHashMap<>();

    /** {@code stores} checks the targets a function file names (syntax and scheme; nothing is contacted). */
    public PlanRepository(FiresafeConfig config, StoreRegistry stores) {
        this.config = config;
        this.stores = stores;
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

    /**
     * Every function of the functions folder ({@code *.yaml}), loaded and checked: plan, triggers, target schemes.
     * The first invalid file stops the load with a message naming it, so a host never runs a partial set.
     */
    public List<FunctionDefinition> functions() {
        Path dir = Path.of(config.functionsDir());
        if (!Files.isDirectory(dir)) {
            throw FiresafeException.usage("functions folder " + dir.toAbsolutePath() + " does not exist");
        }
        refuseYml(dir);
        return functionNames().stream().map(this::function).toList();
    }

    /** A {@code NAME.yml} would be skipped, silently: the host would run without the function it defines. */
    private static void refuseYml(Path dir) {
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            Optional<Path> yml = files.filter(f -> f.getFileName().toString().endsWith(".yml")).sorted().findFirst();
            if (yml.isPresent()) {
                String name = yml.get().getFileName().toString();
                throw FiresafeException.usage(yml.get() + ": function files end in .yaml; rename it to "
                        + name.substring(0, name.length() - ".yml".length()) + ".yaml");
            }
        } catch (IOException e) {
            throw FiresafeException.usage("cannot list " + dir.toAbsolutePath() + ": " + e.getMessage());
        }
    }

    /** The function {@code functions/NAME.yaml}: its plan (with overrides) and its checked triggers. */
    public FunctionDefinition function(String name) {
        checkName(name);
        Path file = Path.of(config.functionsDir()).resolve(name + ".yaml");
        if (!Files.isRegularFile(file)) {
            throw FiresafeException.usage("no function '" + name + "': expected " + file.toAbsolutePath());
        }
        FunctionFile f = parse(file);
        Plan plan = applyOverrides(load(file, name));
        for (String target : plan.targets()) {
            try {
                stores.describe(target);
            } catch (FiresafeException e) {
                throw FiresafeException.usage(file + ": plan.targets: " + e.getMessage());
            }
        }
        return new FunctionDefinition(name, file, plan, TriggerSpec.parseAll(file.toString(), f.triggers()),
                Optional.ofNullable(f.wal()).map(w -> WalSpec.parse(file.toString(), name, w)));
    }

    /**
     * The file read and checked once per process: the fast start looks at every plan's targets before the command
     * reads its own, and the host's triggers, health and metrics all ask again.
     */
    private FunctionFile parse(Path file) {
        FunctionFile cached = parsed.get(file);
        if (cached != null) {
            return cached;
        }
        FunctionFile f = FunctionFileReader.read(file);
        if (f == null || f.plan() == null) {
            throw FiresafeException.usage(file + ": has no 'plan:' section");
        }
        TriggerSpec.parseAll(file.toString(), f.triggers());
        if (f.wal() != null) {
            WalSpec.parse(file.toString(), file.getFileName().toString().replaceFirst("\\.yaml$", ""), f.wal());
        }
        parsed.put(file, f);
        return f;
    }

    Plan load(Path file, String name) {
        FunctionFile f = parse(file);
        FunctionFile.PlanSection p = f.plan();
        String planName = p.name() == null ? name : p.name();
        checkName(planName);
        List<SourceSpec> sources = new ArrayList<>();
        List<CommandSource> commands = new ArrayList<>();
        List<PostgresSource> postgres = new ArrayList<>();
        for (FunctionFile.SourceSection s : p.sources() == null ? List.<FunctionFile.SourceSection>of() : p.sources()) {
            int kinds = (s.path() != null ? 1 : 0) + (s.command() != null ? 1 : 0) + (s.postgres() != null ? 1 : 0)
                    + (s.postgresBase() != null ? 1 : 0);
            if (kinds != 1) {
                throw FiresafeException.usage(file + ": a source needs exactly one of 'path', 'command', 'postgres', "
                        + "'postgres-base'");
            }
            if (s.path() != null) {
                if (s.path().isBlank() || s.name() != null || s.timeout() != null || s.env() != null) {
                    throw FiresafeException.usage(file + ": a 'path' source takes only include and exclude");
                }
                sources.add(new SourceSpec(FileNames.path(s.path()), s.include(), s.exclude()));
            } else if (s.command() != null) {
                if (s.include() != null || s.exclude() != null) {
                    throw FiresafeException.usage(file + ": a 'command' source takes name, timeout and env only");
                }
                commands.add(command(file.toString(), s.name(), s.command(), s.timeout(), s.env()));
            } else if (s.postgresBase() != null) {
                FunctionFile.PostgresSection b = s.postgresBase();
                postgres.add(new PostgresSource(b.host(), b.port() == null ? 0 : b.port(), b.user(),
                        b.passwordFile() == null ? null : Path.of(b.passwordFile()), b.sslmode(), List.of(), true));
            } else {
                postgres.add(postgres(file, s.postgres()));
            }
        }
        return new Plan(planName, sources, p.targets() == null ? List.of() : p.targets(),
                Compression.byId(p.compression() == null ? config.compression() : p.compression()),
                p.retention() == null ? Retention.KEEP_ALL : p.retention(), commands, postgres,
                new Hooks(p.before(), p.after()),
                p.fullEvery() == null ? null : Durations.parse(file + ": plan.full-every", p.fullEvery()));
    }

    /** A command source, checked: its name becomes an archive path, so it must be a safe relative one. */
    public static CommandSource command(String where, String name, String command, String timeout,
                                        Map<String, String> env) {
        if (command == null || command.isBlank()) {
            throw FiresafeException.usage(where + ": a command source has an empty command");
        }
        checkEntryName(where, name);
        return new CommandSource(name, command, timeout == null ? null : Durations.parse(where, timeout), env);
    }

    static void checkEntryName(String where, String name) {
        if (name == null || !ENTRY_NAME.matcher(name).matches() || name.startsWith(".firesafe")
                || java.util.Arrays.stream(name.split("/")).anyMatch(seg -> seg.equals(".") || seg.equals(".."))) {
            throw FiresafeException.usage(where + ": command source name '" + name + "' must be a relative path of "
                    + "letters, digits, '.', '_', '-' and '/' (say redis/dump.rdb)");
        }
    }

    private static PostgresSource postgres(Path file, FunctionFile.PostgresSection s) {
        boolean all = s.mode() != null && s.mode().equals("all");
        if (s.mode() != null && !all) {
            throw FiresafeException.usage(file + ": postgres mode '" + s.mode() + "' is not 'all'");
        }
        if (all == (s.databases() != null && !s.databases().isEmpty())) {
            throw FiresafeException.usage(file + ": a postgres source needs either 'mode: all' or a 'databases' list");
        }
        if (s.databases() != null) {
            for (String db : s.databases()) {
                if (db == null || !DB_NAME.matcher(db).matches()) {
                    throw FiresafeException.usage(file + ": database name '" + db + "' must be letters, digits, "
                            + "'.', '_' or '-'");
                }
            }
        }
        return new PostgresSource(s.host(), s.port() == null ? 0 : s.port(), s.user(),
                s.passwordFile() == null ? null : Path.of(s.passwordFile()), s.sslmode(), s.databases());
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
            result = result.withCompression(Compression.byId(o.compression().get()));
        }
        if (o.fullEvery().isPresent()) {
            result = result.withFullEvery(Durations.parse("firesafe.plans." + plan.name() + ".full-every",
                    o.fullEvery().get()));
        }
        return result;
    }

    /** Names of the functions defined in the functions folder ({@code NAME.yaml}), sorted. */
    public List<String> functionNames() {
        Path dir = Path.of(config.functionsDir());
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".yaml"))
                    .map(n -> n.substring(0, n.length() - ".yaml".length())).sorted().toList();
        } catch (IOException e) {
            throw FiresafeException.usage("cannot list " + dir.toAbsolutePath() + ": " + e.getMessage());
        }
    }
}
