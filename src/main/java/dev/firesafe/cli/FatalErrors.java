package dev.firesafe.cli;

import dev.firesafe.core.ExitCode;

/**
 * The last word on a Throwable that no command turned into an exit code (issue #18 point 1): an Error such as
 * OutOfMemoryError that unwound a one-shot command. It says so in one line and ends the process at once, with
 * {@link ExitCode#FAILURE}: a JVM left running with a thread that is not a daemon, or waiting on a stage that
 * died, must never stand in for a backup that ended. By the time it gets here the command's own clean-up ({@code
 * finally} blocks: after-hooks, aborted uploads) has run. The launchers add {@code -XX:+ExitOnOutOfMemoryError},
 * which ends the JVM even where an OutOfMemoryError is caught and swallowed (README, "Memory").
 */
final class FatalErrors {

    private FatalErrors() {
    }

    static void halt(Throwable t) {
        try {
            System.out.flush();
            boolean oom = t instanceof OutOfMemoryError;
            System.err.println("firesafe: " + (oom ? "out of memory" : "internal error") + ": " + t
                    + (oom ? "; the run did not finish (Firesafe runs in -Xmx128m: see README, \"Memory\")"
                    : "; set FIRESAFE_DEBUG=1 for details, and please report it"));
            if ("1".equals(System.getenv("FIRESAFE_DEBUG"))) {
                t.printStackTrace();
            }
            System.err.flush();
        } catch (Throwable ignored) {
            // out of memory again while saying so: the exit status still tells
        } finally {
            Runtime.getRuntime().halt(ExitCode.FAILURE.code);
        }
    }
}
