package dev.firesafe.cli;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import jakarta.inject.Inject;
import picocli.CommandLine;

import java.util.OptionalInt;

/**
 * The process entry point. The mode is decided here, before Quarkus starts, because the HTTP server, the
 * scheduler and the broker connections start with Quarkus: only {@code serve} may open a port, fire timers or
 * dial a broker. Every other command is one-shot, so two of them (or one beside a running {@code serve}) never
 * fight over port 8080 and none needs a broker (see {@link ProcessMode}). Most one-shot commands do not start
 * Quarkus at all ({@link LeanLaunch}): they are done before its start-up would be.
 */
@QuarkusMain
public class Main {

    public static void main(String... args) {
        ProcessMode mode = ProcessMode.of(args);
        OptionalInt exit = mode.serve() ? ServePreflight.check() : LeanLaunch.run(args);
        if (exit.isPresent()) {
            System.exit(exit.getAsInt());
        }
        mode.apply(System::setProperty);
        Quarkus.run(Application.class, args);
    }

    /** Runs the picocli command line inside the started application. */
    public static class Application implements QuarkusApplication {

        @Inject
        CommandLine commandLine;

        @Override
        public int run(String... args) {
            return commandLine.execute(args);
        }
    }
}
