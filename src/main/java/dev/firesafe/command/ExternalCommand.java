package dev.firesafe.command;

import dev.firesafe.core.FiresafeException;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Runs a program (never through a shell unless the argv says {@code /bin/sh -c}) with extra environment
 * variables, hands its stdout to a reader as it is produced, and fails with a {@link FiresafeException#source}
 * when it exits non-zero or outlives its timeout. The failure message carries the last lines of the program's own
 * stderr, with every value of {@code env} blanked out: secrets go in the environment and must not come back out
 * through an error message. Stdin is /dev/null, so a program that asks for a password fails instead of hanging.
 */
public final class ExternalCommand {

    private static final int STDERR_LINES = 8;
    private static final int STDERR_LINE_CHARS = 400;
    private static final int MAX_OUTPUT = 1 << 20;

    /** Consumes the program's stdout until its end. */
    @FunctionalInterface
    public interface StdoutReader {
        void read(InputStream stdout) throws IOException;
    }

    private final String label;
    private final List<String> argv;
    private final Map<String, String> env;
    private final Duration timeout;
    private final List<String> secrets;
    private final boolean killedOnStop;
    private final Path stderrLog;
    private final Predicate<String> expectedError;

    /**
     * Every value of {@code env} is treated as secret.
     *
     * @param label how messages name it, e.g. "command source 'redis/dump.rdb'"; must hold no secret
     */
    public ExternalCommand(String label, List<String> argv, Map<String, String> env, Duration timeout) {
        this(label, argv, env, timeout, env.keySet());
    }

    /** Only the values of {@code secretKeys} are blanked out of messages (PGHOST and PGUSER are not secrets). */
    public ExternalCommand(String label, List<String> argv, Map<String, String> env, Duration timeout,
                           java.util.Set<String> secretKeys) {
        this(label, argv, env, timeout, secretKeys.stream().map(env::get).filter(v -> v != null).toList(), false,
                null, line -> false);
    }

    private ExternalCommand(String label, List<String> argv, Map<String, String> env, Duration timeout,
                            List<String> secrets, boolean killedOnStop, Path stderrLog,
                            Predicate<String> expectedError) {
        this.label = label;
        this.argv = List.copyOf(argv);
        this.env = Map.copyOf(env);
        this.timeout = timeout;
        this.secrets = secrets;
        this.killedOnStop = killedOnStop;
        this.stderrLog = stderrLog;
        this.expectedError = expectedError;
    }

    /**
     * This command, with every line of its stderr (secrets blanked out) appended to {@code log}: where a program
     * that reports errors and goes on (psql) says all it said, not only the first lines a message can hold.
     */
    public ExternalCommand stderrTo(Path log) {
        return new ExternalCommand(label, argv, env, timeout, secrets, killedOnStop, log, expectedError);
    }

    /** This command, with the {@code ERROR:} lines {@code expected} accepts counted apart ({@link Finished}). */
    public ExternalCommand expectingErrors(Predicate<String> expected) {
        return new ExternalCommand(label, argv, env, timeout, secrets, killedOnStop, stderrLog, expected);
    }

    /**
     * This command, killed with everything it started when the JVM is stopped while it runs ({@link KillOnStop}):
     * for programs whose work is worthless once Firesafe is gone. Not for after hooks, which a stop still runs.
     */
    public ExternalCommand killedOnStop() {
        return new ExternalCommand(label, argv, env, timeout, secrets, true, stderrLog, expectedError);
    }

    public static ExternalCommand shell(String label, String command, Map<String, String> env, Duration timeout) {
        return new ExternalCommand(label, List.of("/bin/sh", "-c", command), env, timeout);
    }

    public String label() {
        return label;
    }

    /**
     * What a successful run printed on stderr that looks like an error ({@code ERROR:} lines, as psql prints them
     * and goes on): the count and the first few, redacted; {@code expectedErrors} counts those
     * {@link #expectingErrors} accepts, which are in neither.
     */
    public record Finished(int errorCount, List<String> firstErrors, int expectedErrors) {
    }

    /** Runs to the end; {@code reader} gets stdout. Throws a source failure on non-zero exit or timeout. */
    public Finished run(StdoutReader reader) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(argv).redirectInput(new File("/dev/null"));
        pb.environment().putAll(env);
        java.io.Writer log = log(); // before the start: a log that cannot be written stops nothing half way
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            if (log != null) {
                log.close();
            }
            throw FiresafeException.source(label + " could not be started: " + e.getMessage());
        }
        try (KillOnStop stop = killedOnStop ? KillOnStop.guard(p) : null) {
            return finish(p, reader, log);
        }
    }

    private Finished finish(Process p, StdoutReader reader, java.io.Writer log) throws IOException {
        StderrTail tail = new StderrTail(p.getErrorStream(), expectedError, log, secrets);
        tail.start();
        Watchdog watchdog = new Watchdog(p, timeout);
        watchdog.start();
        try (InputStream out = p.getInputStream()) {
            reader.read(out);
            out.transferTo(java.io.OutputStream.nullOutputStream()); // a reader that stops early must not block the program
        } catch (IOException | RuntimeException | Error e) {
            kill(p);
            if (watchdog.fired) { // killing a process closes its streams under the reader: report the cause
                throw FiresafeException.source(label + " did not finish within " + describe(timeout)
                        + " and was killed" + tail.describe(secrets));
            }
            throw e;
        }
        int status;
        try {
            status = p.waitFor();
            tail.join(); // stderr ends when the process and its children are gone
        } catch (InterruptedException e) {
            kill(p);
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException(label + " was interrupted");
        }
        if (watchdog.fired) {
            throw FiresafeException.source(label + " did not finish within " + describe(timeout)
                    + " and was killed" + tail.describe(secrets));
        }
        if (status != 0) {
            throw FiresafeException.source(label + " failed with exit status " + status + tail.describe(secrets));
        }
        synchronized (tail.lines) {
            return new Finished(tail.errorCount, tail.errors.stream().map(l -> redact(l, secrets)).toList(),
                    tail.expectedCount);
        }
    }

    /** The stderr log, opened for appending, headed by what runs; null without one. */
    private java.io.Writer log() throws IOException {
        if (stderrLog == null) {
            return null;
        }
        java.io.Writer w = Files.newBufferedWriter(stderrLog, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        w.write("== " + label + "\n");
        return w;
    }

    /** Runs to the end and returns stdout as text (at most 1 MiB: for version queries and the like). */
    public String output() throws IOException {
        StringBuilder text = new StringBuilder();
        run(in -> text.append(new String(in.readNBytes(MAX_OUTPUT), StandardCharsets.UTF_8)));
        return text.toString();
    }

    static void kill(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
    }

    static String describe(Duration d) {
        long s = d.toSeconds();
        if (s % 3600 == 0) {
            return s / 3600 + "h";
        }
        return s % 60 == 0 ? s / 60 + "m" : s + "s";
    }

    /** Kills the program (and what it started) when it is still running at the deadline. */
    private static final class Watchdog extends Thread {
        private final Process process;
        private final Duration timeout;
        volatile boolean fired;

        Watchdog(Process process, Duration timeout) {
            super("firesafe-command-watchdog");
            setDaemon(true);
            this.process = process;
            this.timeout = timeout;
        }

        @Override
        public void run() {
            try {
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    fired = true;
                    kill(process);
                }
            } catch (InterruptedException e) {
                kill(process);
            }
        }
    }

    /** Keeps the last few lines of stderr, bounded, for the failure message; all of them in the log, if any. */
    private static final class StderrTail extends Thread {
        private final InputStream in;
        private final Predicate<String> expected;
        private final java.io.Writer log;
        private final List<String> secrets;
        private final Deque<String> lines = new ArrayDeque<>();
        private final List<String> errors = new ArrayList<>();
        private int errorCount;
        private int expectedCount;

        StderrTail(InputStream in, Predicate<String> expected, java.io.Writer log, List<String> secrets) {
            super("firesafe-command-stderr");
            setDaemon(true);
            this.in = in;
            this.expected = expected;
            this.log = log;
            this.secrets = secrets;
        }

        @Override
        public void run() {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (log != null) {
                        log.write(redact(line, secrets) + "\n");
                    }
                    synchronized (lines) {
                        lines.addLast(line.length() > STDERR_LINE_CHARS ? line.substring(0, STDERR_LINE_CHARS)
                                + "..." : line);
                        if (lines.size() > STDERR_LINES) {
                            lines.removeFirst();
                        }
                        if (line.contains("ERROR:")) {
                            if (expected.test(line)) {
                                expectedCount++;
                            } else {
                                errorCount++;
                                if (errors.size() < STDERR_LINES) {
                                    errors.add(lines.peekLast());
                                }
                            }
                        }
                    }
                }
            } catch (IOException e) {
                // the program is gone; what was read is what there is
            } finally {
                if (log != null) {
                    try {
                        log.close();
                    } catch (IOException ignored) {
                        // the log is a convenience; the count and first errors are reported either way
                    }
                }
            }
        }

        String describe(List<String> secrets) {
            List<String> shown;
            synchronized (lines) {
                shown = new ArrayList<>(lines);
            }
            if (shown.isEmpty()) {
                return " (no stderr output)";
            }
            StringBuilder sb = new StringBuilder("; its stderr ends with:");
            for (String line : shown) {
                sb.append("\n  ").append(redact(line, secrets));
            }
            return sb.toString();
        }
    }

    /**
     * Blanks every secret value (3+ characters: shorter ones would blank ordinary words) out of a line, and every
     * control character that could forge a line or drive a terminal (escape sequences) as '?'. A tab is neither,
     * and psql writes them (a COPY row in an error's context): it stays a tab (issue #19: it showed as '?').
     */
    static String redact(String line, List<String> secrets) {
        String out = line;
        for (String value : secrets) {
            if (value != null && value.length() >= 3) {
                out = out.replace(value, "***");
            }
        }
        return out.replaceAll("[\\p{Cntrl}&&[^\t]]", "?");
    }
}
