package dev.firesafe.cli;

import dev.firesafe.core.ExitCode;
import dev.firesafe.core.FiresafeException;
import io.quarkus.picocli.runtime.PicocliCommandLineFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import picocli.CommandLine;

/**
 * Maps failures to exit codes and one-line messages on stderr. Stack traces only with FIRESAFE_DEBUG=1: they are
 * for developers, and a message written for people is what users should read.
 */
@ApplicationScoped
class CliSetup {

    @Produces
    CommandLine commandLine(PicocliCommandLineFactory factory) {
        return withHelp(factory.create()).setExecutionExceptionHandler(CliSetup::report);
    }

    /**
     * {@code --help} and {@code -h} (and {@code --version}) on every command, not only the top one: a user who
     * types {@code backup --help} wants its usage, exit 0, not a complaint about a missing argument.
     */
    static CommandLine withHelp(CommandLine commandLine) {
        for (CommandLine sub : commandLine.getSubcommands().values()) {
            if (!sub.getCommandSpec().mixinStandardHelpOptions()) {
                sub.getCommandSpec().mixinStandardHelpOptions(true);
            }
        }
        return commandLine;
    }

    static int report(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        boolean debug = "1".equals(System.getenv("FIRESAFE_DEBUG"));
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
