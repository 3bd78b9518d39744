package dev.firesafe.cli;

import dev.firesafe.app.Services;

import dev.firesafe.core.ExitCode;
import dev.firesafe.core.FiresafeException;
import dev.firesafe.core.FiresafeConfig;
import dev.firesafe.plan.PlanRepository;
import dev.firesafe.store.StoreUri;
import io.smallrye.config.ConfigValidationException;
import io.smallrye.config.SmallRyeConfig;
import picocli.CommandLine;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Every command line starts here: picocli parses it (a usage error or a help request is answered at once, also
 * for {@code serve}, before any port is bound), then a one-shot command runs without starting the Quarkus runtime.
 * Quarkus brings up the HTTP server, REST, messaging connectors, metrics and the scheduler at every start (~1.5 s
 * on the reference machines, docs/benchmarks.md, "Start-up"), all of which only {@code serve} uses; a backup
 * fired by a systemd timer or a CronJob should spend its time on the backup. The commands and services are the
 * same classes on both paths, built by the same factory ({@link Services}) from the same configuration
 * ({@link LeanConfig}).
 *
 * <p>Quarkus still starts for what needs it: {@code serve} (HTTP, timers, brokers, metrics), a
 * {@code github://} target anywhere in the command line, the plans or the default target (its client is the
 * Quarkus REST client), JSON logs (Quarkus' formatter), and {@code firesafe.cli.fast-start=false}.
 */
final class LeanLaunch {

    /** How a command line ends here: an exit code, or the Quarkus runtime to start in {@code mode}. */
    record Outcome(OptionalInt exitCode, ProcessMode mode) {
        static Outcome exit(int code) {
            return new Outcome(OptionalInt.of(code), null);
        }

        static Outcome quarkus(ProcessMode mode) {
            return new Outcome(OptionalInt.empty(), mode);
        }
    }

    private LeanLaunch() {
    }

    static Outcome run(String... args) {
        SmallRyeConfig config;
        try {
            config = LeanConfig.load();
        } catch (ConfigValidationException e) {
            for (int i = 0; i < e.getProblemCount(); i++) {
                System.err.println("firesafe: configuration: " + e.getProblem(i).getMessage());
            }
            return Outcome.exit(ExitCode.USAGE.code);
        } catch (RuntimeException e) {
            // e.g. an unreadable config file: Quarkus reads it again and reports it
            return Outcome.quarkus(ProcessMode.unparsed(args));
        }
        try (Services services = Services.of(config)) {
            CommandLine commandLine = commandLine(services, CliSetup.reachable(args));
            CommandLine.ParseResult parsed;
            try {
                parsed = commandLine.parseArgs(args);
            } catch (CommandLine.ParameterException e) {
                return Outcome.exit(usageError(commandLine, e, args));
            }
            Integer help;
            try {
                help = CommandLine.executeHelpRequest(parsed);
            } catch (CommandLine.ParameterException e) {
                // 'help NOSUCH' parses; picocli's help command finds the unknown name only when it answers, and
                // that escaped as an internal error (exit 1). It is a usage error, as 'firesafe NOSUCH' is.
                return Outcome.exit(usageError(commandLine, e, args));
            }
            if (help != null) {
                return Outcome.exit(help);
            }
            ProcessMode mode = ProcessMode.of(parsed);
            if (mode.serve()) {
                return Outcome.quarkus(mode);
            }
            Optional<String> reason = quarkusNeeded(values(parsed), config, services.plans());
            if ("1".equals(System.getenv("FIRESAFE_DEBUG"))) {
                System.err.println("firesafe: " + reason.map(r -> "starting Quarkus: " + r)
                        .orElse("fast start, without the Quarkus runtime"));
            }
            if (reason.isPresent()) {
                return Outcome.quarkus(mode);
            }
            try {
                LeanLogging.configure(config);
            } catch (FiresafeException e) {
                System.err.println("firesafe: configuration: " + e.getMessage());
                return Outcome.exit(e.exitCode().code);
            } catch (IllegalArgumentException e) {
                return Outcome.quarkus(mode); // e.g. a console format only Quarkus' formatter reads
            }
            return Outcome.exit(commandLine.execute(args));
        }
    }

    /** picocli's own answer to a bad command line: the error and the command's usage on stderr, exit 2. */
    private static int usageError(CommandLine commandLine, CommandLine.ParameterException e, String[] args) {
        try {
            return commandLine.getParameterExceptionHandler().handleParseException(e, args);
        } catch (Exception unexpected) {
            return CliSetup.report(unexpected, commandLine, null);
        }
    }

    /** The command line over {@code services}, as both routes build it. */
    static CommandLine commandLine(Services services) {
        return commandLine(services, FiresafeCommand.SUBCOMMANDS);
    }

    private static CommandLine commandLine(Services services, List<Class<?>> subcommands) {
        return CliSetup.subcommands(new CommandLine(FiresafeCommand.class, new LeanCommands(services)), subcommands)
                .setExecutionExceptionHandler(CliSetup::report);
    }

    /** Every option value and parameter the command line gave, as text: where a target may be named. */
    static List<String> values(CommandLine.ParseResult parsed) {
        List<String> values = new ArrayList<>();
        for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
            for (CommandLine.Model.ArgSpec arg : p.matchedArgs()) {
                Object value = arg.getValue();
                if (value instanceof Iterable<?> many) {
                    many.forEach(v -> values.add(String.valueOf(v)));
                } else if (value != null) {
                    values.add(String.valueOf(value));
                }
            }
        }
        return values;
    }

    /** Why a command line with these option values and parameters needs Quarkus, if it does. */
    static Optional<String> quarkusNeeded(List<String> values, SmallRyeConfig config, PlanRepository plans) {
        if (!config.getConfigMapping(CliConfig.class).fastStart()) {
            return Optional.of("firesafe.cli.fast-start=false");
        }
        if (config.getOptionalValue("quarkus.log.console.json.enabled", Boolean.class).orElse(false)) {
            return Optional.of("JSON logs");
        }
        if (values.stream().anyMatch(LeanLaunch::isGitHub)) {
            return Optional.of("a github:// target on the command line");
        }
        FiresafeConfig firesafe = config.getConfigMapping(FiresafeConfig.class);
        return targetsOfEveryPlan(firesafe, plans).stream().filter(LeanLaunch::isGitHub).findFirst()
                .map(uri -> "a github:// target in the configuration or the plans");
    }

    /**
     * The default target and every target a plan names (function files and {@code firesafe.plans.*} overrides).
     * A plan that does not load stops nothing here: the command itself reports it.
     */
    private static List<String> targetsOfEveryPlan(FiresafeConfig config, PlanRepository plans) {
        List<String> uris = new ArrayList<>();
        uris.add(config.defaultTarget());
        config.plans().values().forEach(o -> o.targets().ifPresent(uris::addAll));
        try {
            for (String name : plans.functionNames()) {
                try {
                    uris.addAll(plans.find(name, false).targets());
                } catch (FiresafeException e) {
                    // reported by the command that reads this plan
                }
            }
        } catch (FiresafeException e) {
            // an unreadable functions folder: reported by the command too
        }
        return uris;
    }

    private static boolean isGitHub(String uri) {
        return StoreUri.parse(uri).scheme().equals("github");
    }
}
