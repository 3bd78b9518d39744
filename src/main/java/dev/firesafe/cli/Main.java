package dev.firesafe.cli;

import dev.firesafe.core.ExitCode;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import jakarta.inject.Inject;
import picocli.CommandLine;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
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
        try {
            run(args);
        } catch (Throwable t) {
            FatalErrors.halt(t);
        }
    }

    private static void run(String... args) {
        if (!workingFolderReadable()) { // first: java.lang.management cannot even start in such a folder
            System.exit(ExitCode.USAGE.code);
        }
        OptionalInt relaunched = HeapRelaunch.run(args); // a JVM with an unbounded heap: run it in one that is not
        if (relaunched.isPresent()) {
            System.exit(relaunched.getAsInt());
        }
        LeanLaunch.Outcome outcome = LeanLaunch.run(args);
        OptionalInt exit = outcome.exitCode().isPresent() || !outcome.mode().serve() ? outcome.exitCode()
                : ServePreflight.check();
        if (exit.isPresent()) {
            System.exit(exit.getAsInt());
        }
        outcome.mode().hold(); // read by Quarkus' configuration (ProcessModeConfigSource), not a system property
        Quarkus.run(Application.class, args);
    }

    /**
     * Under {@code LANG=C} the JVM spells a non-ASCII working folder's name with '?' and cannot make a path of it:
     * the configuration (which looks for a {@code .env} file there) would fail deep inside with a stack trace.
     * Say so plainly instead; file names themselves are read in any locale (archive.FileNames).
     */
    private static boolean workingFolderReadable() {
        String dir = System.getProperty("user.dir", "");
        try {
            Path.of(dir);
            return true;
        } catch (InvalidPathException e) {
            System.err.println("firesafe: this process's locale (LANG=" + System.getenv().getOrDefault("LANG", "")
                    + ", file names in " + System.getProperty("sun.jnu.encoding") + ") cannot spell the name of "
                    + "the working folder " + dir + ": run Firesafe from another folder, or set LANG=C.UTF-8");
            return false;
        }
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
