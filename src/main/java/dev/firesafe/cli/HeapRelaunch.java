package dev.firesafe.cli;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Issue #18 point 2: peak RSS at most 256 MiB for a million files "whatever the heap default". A bare
 * {@code java -jar quarkus-run.jar backup ...} gets HotSpot's defaults, G1 with a maximum heap of a quarter of the
 * machine's memory and an initial one of 1/64, and the heap grows far above what is live: 604 MiB peak RSS for
 * 200,000 small files on a 24 GiB machine. A running JVM cannot lower its own heap size or change its collector
 * (only MaxHeapFreeRatio and MinHeapFreeRatio are manageable, and G1 applies them at full collections only: even
 * an 8 MiB initial heap with both set ended at 239-251 MiB for 200,000 files, docs/benchmarks.md). So when the
 * JVM was given no heap size, this process starts the same command again in a child JVM with the flags every
 * shipped launcher uses ({@link #FLAGS}) and ends with the child's exit status.
 * <p>
 * The child inherits stdin, stdout and stderr (a terminal stays a terminal, for the progress line), the
 * environment and the working folder, and gets this JVM's options again (system properties, and what
 * JDK_JAVA_OPTIONS, JAVA_TOOL_OPTIONS and _JAVA_OPTIONS gave: those three are removed from its environment so
 * they are not applied, or announced on stderr, twice). SIGTERM or SIGINT sent here reach the child as SIGTERM
 * (its shutdown hooks stop a backup as they would have stopped it here) and this process exits with the child's
 * status, 143 then. If this process is killed outright (kill -9), the child sees its parent gone within
 * {@link #PARENT_CHECK_MILLIS} ms and halts as well, so no orphan goes on writing.
 * <p>
 * Not done: in the native executable (its maximum heap is built in, native-build/); when the JVM was given a heap
 * size, a collector, an agent or a flight recording (whoever chose them meant this process); for the commands
 * PostgreSQL starts once per WAL segment, where a second JVM's start-up would cost most and memory is small; for
 * help and version.
 */
final class HeapRelaunch {

    /**
     * The heap flags of the shipped launchers, for a jar without its {@link #OPTIONS_FILE} (copied away from
     * target/quarkus-app on its own): the file holds these and the start-up ones.
     */
    static final List<String> FLAGS = List.of("-Xmx128m", "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError");

    /** The JVM options file next to quarkus-run.jar (src/main/jvm/jvm.options), given to the child as {@code @file}. */
    static final String OPTIONS_FILE = "jvm.options";

    /** Set in the child, to this process's pid: the child never relaunches and watches for its parent's end. */
    static final String PARENT_PROPERTY = "dev.firesafe.relaunched-by";

    static final long PARENT_CHECK_MILLIS = 50;

    /** Set by {@link #OPTIONS_FILE}: the JVM was started with it, so its heap is bounded. */
    static final String OPTIONS_GIVEN = "dev.firesafe.jvm-options";

    /** Options after which this process is left as it is (prefixes). */
    private static final List<String> CHOSEN = List.of("-Xmx", "-Xms", "-XX:MaxHeapSize", "-XX:InitialHeapSize",
            "-XX:MinHeapSize", "-XX:MaxRAM", "-XX:InitialRAM", "-XX:MinRAM", "-agentlib:",
            "-agentpath:", "-javaagent:", "-Xrun", "-XX:StartFlightRecording", "-XX:+FlightRecorder",
            // an AppCDS recording run: two JVMs would write the same archive
            "-XX:ArchiveClassesAtExit");

    /** A collector chosen: -XX:+UseSerialGC, -XX:+UseG1GC, ... (a second one would make the child refuse to start). */
    private static final Pattern COLLECTOR = Pattern.compile("-XX:\\+Use\\w+GC");

    /** Run by PostgreSQL per WAL segment (archive_command, restore_command): start-up matters most there. */
    private static final Set<String> ONE_JVM_COMMANDS = Set.of("wal-push", "wal-fetch");

    private static final List<String> JVM_OPTION_VARIABLES = List.of("JDK_JAVA_OPTIONS", "JAVA_TOOL_OPTIONS",
            "_JAVA_OPTIONS");

    private HeapRelaunch() {
    }

    /**
     * In a relaunched child: starts the watch on the parent and returns empty. Otherwise, when the heap is
     * unbounded, runs the command in a bounded child and returns its exit status; else, or when no child could be
     * started, empty (run it here).
     */
    static OptionalInt run(String... args) {
        String parent = System.getProperty(PARENT_PROPERTY);
        if (parent != null) {
            haltWhenOrphaned(Long.parseLong(parent));
            return OptionalInt.empty();
        }
        Optional<Path> jar = launchedJar();
        if (jar.isEmpty() || !relaunches(command(args))) {
            return OptionalInt.empty();
        }
        if (Boolean.getBoolean(OPTIONS_GIVEN)) {
            // started with the options file (every shipped launcher): asked first, as the JVM's own options are
            // read through java.management, whose start costs a timer's backup ~10 ms
            return OptionalInt.empty();
        }
        List<String> jvmOptions = ManagementFactory.getRuntimeMXBean().getInputArguments();
        if (!unbounded(jvmOptions)) {
            return OptionalInt.empty();
        }
        return runChild(childCommand(jvmOptions, jar.get(), args));
    }

    /** The jar this JVM was started with by {@code java -jar}; empty in the native image, tests and dev mode. */
    private static Optional<Path> launchedJar() {
        if (System.getProperty("org.graalvm.nativeimage.imagecode") != null) {
            return Optional.empty();
        }
        String classPath = System.getProperty("java.class.path", "");
        String command = System.getProperty("sun.java.command", "");
        if (!classPath.endsWith(".jar") || classPath.contains(java.io.File.pathSeparator)
                || !(command.equals(classPath) || command.startsWith(classPath + " "))
                || !Files.isRegularFile(Path.of(classPath))) {
            return Optional.empty();
        }
        return Optional.of(Path.of(classPath));
    }

    /** The command word: the first argument that is not an option; empty for bare help or version. */
    static Optional<String> command(String... args) {
        for (String a : args) {
            if (!a.startsWith("-")) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    static boolean relaunches(Optional<String> command) {
        return command.isPresent() && !ONE_JVM_COMMANDS.contains(command.get());
    }

    /** True when none of the JVM's options chose its heap, collector, an agent or a recording. */
    static boolean unbounded(List<String> jvmOptions) {
        return jvmOptions.stream().noneMatch(o -> CHOSEN.stream().anyMatch(o::startsWith)
                || COLLECTOR.matcher(o).matches());
    }

    /**
     * java, the launchers' options ({@code @jvm.options} next to the jar, else the bounded heap flags), this JVM's
     * own options (they come later, so they win), -jar, the arguments.
     */
    static List<String> childCommand(List<String> jvmOptions, Path jar, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Path options = jar.toAbsolutePath().resolveSibling(OPTIONS_FILE);
        if (Files.isRegularFile(options)) {
            cmd.add("@" + options);
        } else {
            cmd.addAll(FLAGS);
        }
        cmd.add("-D" + PARENT_PROPERTY + "=" + ProcessHandle.current().pid());
        cmd.addAll(jvmOptions);
        cmd.add("-jar");
        cmd.add(jar.toString());
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** The child's exit status; empty when no child could be started (a backup unbounded beats none). */
    static OptionalInt runChild(List<String> command) {
        ProcessBuilder pb = new ProcessBuilder(command).inheritIO();
        JVM_OPTION_VARIABLES.forEach(pb.environment()::remove);
        Process child;
        try {
            child = pb.start();
        } catch (IOException e) {
            System.err.println("firesafe: could not start a JVM with a bounded heap (" + e.getMessage()
                    + "), running in this one, whose heap is not bounded: give java the flags yourself, java "
                    + String.join(" ", FLAGS) + " -jar ...");
            return OptionalInt.empty();
        }
        // SIGTERM and SIGINT run the shutdown hooks: pass the stop on, wait, and leave with the child's status
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            child.destroy();
            Runtime.getRuntime().halt(waitFor(child));
        }, "firesafe-relaunch-stop"));
        return OptionalInt.of(waitFor(child));
    }

    /** The child's exit status; 128 + the signal's number when a signal ended it (as a shell reports it). */
    private static int waitFor(Process child) {
        while (true) {
            try {
                return child.waitFor();
            } catch (InterruptedException e) {
                // nothing interrupts this thread on purpose: keep waiting, the child decides when it ends
            }
        }
    }

    /**
     * kill -9 on the parent runs nothing there, so the child must notice by itself: it is given to another parent
     * (init or a subreaper) then, which a look at /proc every {@link #PARENT_CHECK_MILLIS} ms sees. It halts as the
     * parent was halted: no shutdown hook, as kill -9 would have had it.
     */
    private static void haltWhenOrphaned(long parentPid) {
        Thread watch = new Thread(() -> {
            while (ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L) == parentPid) {
                try {
                    Thread.sleep(PARENT_CHECK_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
            }
            Runtime.getRuntime().halt(137);
        }, "firesafe-parent-watch");
        watch.setDaemon(true);
        watch.start();
    }
}
