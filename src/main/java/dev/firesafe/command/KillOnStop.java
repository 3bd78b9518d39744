package dev.firesafe.command;

/**
 * Kills a running program and everything it started when the JVM is stopped (SIGTERM: {@code systemctl stop},
 * {@code docker stop}, a pod deleted) while it runs. The JVM does not wait for the thread reading the program's
 * output, and a program that is not writing just then (a dump still scanning, a shell waiting for its pipeline)
 * does not notice that its reader is gone: it would run on, orphaned, holding locks and load for hours. The hook
 * is registered only while the program runs, so a normal exit waits for nothing.
 */
final class KillOnStop implements AutoCloseable {

    private final Thread onStop;

    private KillOnStop(Thread onStop) {
        this.onStop = onStop;
    }

    static KillOnStop guard(Process process) {
        Thread onStop = new Thread(() -> ExternalCommand.kill(process), "firesafe-command-kill-on-stop");
        try {
            Runtime.getRuntime().addShutdownHook(onStop);
        } catch (IllegalStateException stopping) {
            ExternalCommand.kill(process); // started as the JVM stops: nothing would ever read or end it
        }
        return new KillOnStop(onStop);
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(onStop);
        } catch (IllegalStateException stopping) {
            // shutdown has begun: the hook kills (or killed) the program, which is what a stop should do
        }
    }
}
