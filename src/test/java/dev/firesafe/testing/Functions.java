package dev.firesafe.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Function files for function-host tests, and a command source that holds a run open until the test says so:
 * it marks that it started ({@code started.PID} in the control folder, PID its shell's) and waits for a
 * {@code release} file. The wait is the backed-up command's own (a shell loop in a child process of the shell, as
 * the stages of a real command's pipeline are, started before the mark), never the test's.
 */
public final class Functions {

    private Functions() {
    }

    /** Writes {@code DIR/NAME.yaml}: a plan of {@code source} to {@code target}, then the given triggers (YAML). */
    public static Path write(Path dir, String name, Path source, Path target, String triggers) throws IOException {
        Files.createDirectories(dir);
        return Files.writeString(dir.resolve(name + ".yaml"), "plan:\n  sources:\n    - path: " + source + "\n"
                + "  targets: [" + target.toUri() + "]\n" + (triggers.isEmpty() ? "" : "triggers:\n" + triggers));
    }

    /**
     * As {@link #write}, with a command source that blocks until {@code control/release} exists and records
     * overlap: a second run that starts while one holds {@code control/lock} creates {@code control/overlap}.
     */
    public static Path writeHeld(Path dir, String name, Path control, Path target, String triggers)
            throws IOException {
        return writeHeld(dir, name, control, target, "", triggers);
    }

    /** As {@link #writeHeld(Path, String, Path, Path, String)}, with more plan lines (e.g. hooks) first. */
    public static Path writeHeld(Path dir, String name, Path control, Path target, String planLines,
                                 String triggers) throws IOException {
        Files.createDirectories(dir);
        Files.createDirectories(control);
        String c = control.toString();
        String command = "if ! mkdir " + c + "/lock 2>/dev/null; then touch " + c + "/overlap; fi; "
                + "(while [ ! -e " + c + "/release ]; do sleep 0.05; done) & touch " + c + "/started.$$; wait $!; "
                + "rmdir " + c + "/lock; echo held-run-output";
        return Files.writeString(dir.resolve(name + ".yaml"), "plan:\n" + planLines + "  sources:\n"
                + "    - command: \"" + command + "\"\n      name: held.txt\n  targets: [" + target.toUri() + "]\n"
                + (triggers.isEmpty() ? "" : "triggers:\n" + triggers));
    }

    /** How many runs of a held function have started. */
    public static long started(Path control) {
        return startedShells(control).size();
    }

    /** The held runs' shells still running and the processes they started, e.g. to see them end. */
    public static List<ProcessHandle> heldProcesses(Path control) {
        return startedShells(control).stream().map(ProcessHandle::of)
                .flatMap(shell -> shell.stream().flatMap(s -> Stream.concat(Stream.of(s), s.descendants())))
                .toList();
    }

    /** The pids of the shells of the held runs that have started. */
    private static List<Long> startedShells(Path control) {
        try (var files = Files.list(control)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith("started."))
                    .map(n -> Long.parseLong(n.substring("started.".length()))).toList();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static void release(Path control) throws IOException {
        Files.writeString(control.resolve("release"), "go");
    }

    /** Backups of {@code plan} committed in a local target folder. */
    public static long backups(Path target, String plan) {
        Path dir = target.resolve(plan);
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (var files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".firesafe")).count();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
