package dev.firesafe.cli;

import dev.firesafe.core.ExitCode;
import dev.firesafe.core.FiresafeException;
import dev.firesafe.engine.backup.BackupStoppedException;
import io.quarkus.picocli.runtime.PicocliCommandLineFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import picocli.CommandLine;

import java.util.List;

/**
 * Maps failures to exit codes and one-line messages on stderr. Stack traces only with FIRESAFE_DEBUG=1: they are
 * for developers, and a message written for people is what users should read.
 */
@ApplicationScoped
class CliSetup {

    @Produces
    CommandLine commandLine(PicocliCommandLineFactory factory) {
        return subcommands(factory.create(), FiresafeCommand.SUBCOMMANDS)
                .setExecutionExceptionHandler(CliSetup::report);
    }

    /**
     * The subcommands a command line {@code args} can reach: only the one it names first, when it names one
     * (other than {@code help}, which lists and describes the others); else all of them, as for {@code --help}
     * or a mistyped command, which picocli answers with the list or a suggestion.
     */
    static List<Class<?>> reachable(String... args) {
        if (args.length > 0 && !args[0].equals("help")) {
            for (Class<?> sub : FiresafeCommand.SUBCOMMANDS) {
                if (sub.getAnnotation(CommandLine.Command.class).name().equals(args[0])) {
                    return List.of(sub);
                }
            }
        }
        return FiresafeCommand.SUBCOMMANDS;
    }

    /**
     * Adds {@code subcommands} to the top command, made by its factory, with {@code --help} and {@code -h} (and
     * {@code --version}) on every one, not only the top one: a user who types {@code backup --help} wants its
     * usage, exit 0, not a complaint about a missing argument.
     */
    static CommandLine subcommands(CommandLine commandLine, List<Class<?>> subcommands) {
        for (Class<?> sub : subcommands) {
            commandLine.addSubcommand(sub);
        }
        for (CommandLine sub : commandLine.getSubcommands().values()) {
            if (!sub.getCommandSpec().mixinStandardHelpOptions()) {
                sub.getCommandSpec().mixinStandardHelpOptions(true);
            }
        }
        return commandLine;
    }

    static int report(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        boolean debug = "1".equals(System.getenv("FIRESAFE_DEBUG"));
        if (e instanceof BackupStoppedException stopped) {
            return stopped.exitCode().code; // its stop hook said it, with the backup's id: once is enough
        }
        if (e instanceof FiresafeException fe) {
            cmd.getErr().println("firesafe: " + fe.getMessage());
            if (debug) {
                fe.printStackTrace(cmd.getErr());
            }
            return fe.exitCode().code;
        }
        cmd.getErr().println("firesafe: internal error: " + e);
        if (debug) {
            e.printStackTrace(cmd.getErr());
        } else {
            cmd.getErr().println("firesafe: set FIRESAFE_DEBUG=1 for details, and please report it");
        }
        return ExitCode.FAILURE.code;
    }
}
