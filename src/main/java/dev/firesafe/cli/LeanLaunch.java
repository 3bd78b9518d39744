package dev.firesafe.cli;

import dev.firesafe.app.Services;

import dev.firesafe.core.ExitCode;
import dev.firesafe.core.FiresafeException;
import dev.firesafe.core.FiresafeConfig;
import dev.firesafe.plan.PlanRepository;
import io.smallrye.config.ConfigValidationException;
import io.smallrye.config.SmallRyeConfig;
import picocli.CommandLine;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Runs a one-shot command without starting the Quarkus runtime. Quarkus brings up the HTTP server, REST, messaging
 * connectors, metrics and the scheduler at every start (~1.5 s on the reference machines, docs/benchmarks.md,
 * "Start-up"), all of which only {@code serve} uses; a backup fired by a systemd timer or a CronJob should spend
 * its time on the backup. The commands and services are the same classes on both paths: here they are built by
 * hand ({@link LeanCommands}) from the same configuration ({@link LeanConfig}).
 *
 * <p>Quarkus still starts for what needs it: {@code serve} (HTTP, timers, brokers, metrics), a
 * {@code github://} target anywhere in the command line, the plans or the default target (its client is the
 * Quarkus REST client), JSON logs (Quarkus' formatter), and {@code firesafe.cli.fast-start=false}.
 */
final class LeanLaunch {

    /** Commands that need the Quarkus runtime, whatever their arguments. */
    static final Set<String> QUARKUS_COMMANDS = Set.of("serve");

    private LeanLaunch() {
    }

    /** The command's exit code, or empty when it needs the Quarkus runtime (nothing has run then). */
    static OptionalInt run(String... args) {
        if (args.length > 0 && QUARKUS_COMMANDS.contains(args[0])) {
            return OptionalInt.empty();
        }
        SmallRyeConfig config;
        try {
            config = LeanConfig.load();
        } catch (ConfigValidationException e) {
            for (int i = 0; i < e.getProblemCount(); i++) {
                System.err.println("firesafe: configuration: " + e.getProblem(i).getMessage());
            }
            return OptionalInt.of(ExitCode.USAGE.code);
        } catch (RuntimeException e) {
            return OptionalInt.empty(); // e.g. an unreadable config file: Quarkus reads it again and reports it
        }
        Services services = Services.of(config);
        Optional<String> reason = quarkusNeeded(args, config, services.plans());
        if ("1".equals(System.getenv("FIRESAFE_DEBUG"))) {
            System.err.println("firesafe: " + reason.map(r -> "starting Quarkus: " + r)
                    .orElse("fast start, without the Quarkus runtime"));
        }
        try (services) {
            if (reason.isPresent()) {
                return OptionalInt.empty();
            }
            try {
                LeanLogging.configure(config);
            } catch (IllegalArgumentException e) {
                return OptionalInt.empty();
            }
            CommandLine commandLine = new CommandLine(FiresafeCommand.class, new LeanCommands(services))
                    .setExecutionExceptionHandler(CliSetup::report);
            return OptionalInt.of(commandLine.execute(args));
        }
    }

    /** Why this command line needs Quarkus, if it does. */
    static Optional<String> quarkusNeeded(String[] args, SmallRyeConfig config, PlanRepository plans) {
        if (!config.getConfigMapping(CliConfig.class).fastStart()) {
            return Optional.of("firesafe.cli.fast-start=false");
        }
        if (config.getOptionalValue("quarkus.log.console.json.enabled", Boolean.class).orElse(false)) {
            return Optional.of("JSON logs");
        }
        for (String arg : args) {
            if (isGitHub(arg)) {
                return Optional.of("a github:// target on the command line");
            }
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
        return uri.regionMatches(true, 0, "github://", 0, "github://".length())
                || uri.startsWith("--") && uri.toLowerCase(java.util.Locale.ROOT).contains("=github://");
    }
}
