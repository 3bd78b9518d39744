package dev.firesafe.postgres;

import dev.firesafe.command.ExternalCommand;
import dev.firesafe.core.FiresafeException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts a restored data directory with {@code pg_ctl} on a port and waits until its recovery has finished: until
 * it accepts writes ({@code pg_is_in_recovery()} false), or, when recovery pauses at its target, until it is paused.
 * The server programs are those of the data directory's major version ({@code PG_VERSION}). PostgreSQL refuses to
 * run as root: under root they run as {@code runAs} (the data directory is handed to that user first).
 */
public final class PgServer {

    private static final Duration PG_CTL_TIMEOUT = Duration.ofMinutes(10);

    private final Path dataDir;
    private final PgClients clients;
    private final String runAs;

    public PgServer(Path dataDir, PgClients clients, String runAs) {
        this.dataDir = dataDir.toAbsolutePath();
        this.clients = clients;
        this.runAs = runAs;
    }

    /** How a recovery ended: promoted (accepting writes) or paused at its target. */
    public enum Recovered { PROMOTED, PAUSED }

    /**
     * Starts the server on 127.0.0.1:{@code port} (socket in /tmp; log in {@code log}) and waits up to
     * {@code timeout} for the end of recovery. A server that stops meanwhile (a failed restore_command, a target
     * it cannot reach) is a failure quoting the end of its log.
     */
    public Recovered startAndAwaitRecovery(int port, Path log, Duration timeout) throws IOException {
        ServerVersion version = version();
        PgClients.Client pgCtl = clients.forServer("pg_ctl", version, "of the data directory " + dataDir);
        PgClients.Client psql = clients.any("psql");
        if (asRoot()) {
            run("chown", List.of("chown", "-R", runAs + ":", dataDir.toString()));
            Files.deleteIfExists(log);
            Files.createFile(log);
            run("chown", List.of("chown", runAs + ":", log.toString()));
        }
        run("pg_ctl start", asUser(List.of(pgCtl.path().toString(), "-D", dataDir.toString(), "-l", log.toString(),
                "-o", "-p " + port + " -k /tmp -c listen_addresses=127.0.0.1", "-t", "600", "-w", "start")));
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String state;
            try {
                state = new ExternalCommand("psql (recovery state)", List.of(psql.path().toString(), "-X", "-A", "-t",
                        "-w", "-h", "127.0.0.1", "-p", Integer.toString(port), "-U", superuser(), "-d", "postgres",
                        "-c", "SELECT CASE WHEN pg_is_in_recovery() THEN 'recovering ' || pg_get_wal_replay_pause_state() "
                        + "ELSE 'promoted' END"), Map.of(),
                        Duration.ofSeconds(30)).output().strip();
            } catch (IOException | FiresafeException e) {
                if (!Files.exists(dataDir.resolve("postmaster.pid"))) {
                    throw FiresafeException.source("the restored server stopped during recovery: "
                            + tail(log));
                }
                state = "";
            }
            if (state.equals("promoted")) {
                return Recovered.PROMOTED;
            }
            if (state.equals("recovering paused")) {
                return Recovered.PAUSED;
            }
            try {
                Thread.sleep(200); // polling a server's state: there is no event to wait on
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw FiresafeException.usage("interrupted");
            }
        }
        throw FiresafeException.source("recovery of " + dataDir + " did not finish within " + timeout
                + " (the server is still running on port " + port + "): " + tail(log));
    }

    /**
     * Stops the server ({@code pg_ctl stop -m fast}), for a drill's scratch cluster; a server that is not running
     * is left as it is.
     */
    public void stop() throws IOException {
        if (!Files.exists(dataDir.resolve("postmaster.pid"))) {
            return;
        }
        PgClients.Client pgCtl = clients.forServer("pg_ctl", version(), "of the data directory " + dataDir);
        run("pg_ctl stop", asUser(List.of(pgCtl.path().toString(), "-D", dataDir.toString(), "-m", "fast", "-w",
                "stop")));
    }

    /** The superuser of the restored cluster: the owner of its files' cluster, as initdb named it (the OS user). */
    public String superuser() {
        String u = System.getenv("PGUSER");
        return u != null && !u.isBlank() ? u : asRoot() ? runAs : System.getProperty("user.name");
    }

    private ServerVersion version() throws IOException {
        Path file = dataDir.resolve("PG_VERSION");
        String text = Files.readString(file).strip();
        try {
            return new ServerVersion(Integer.parseInt(text) * 10000);
        } catch (NumberFormatException e) {
            throw FiresafeException.integrity(file + " does not hold a PostgreSQL major version");
        }
    }

    private List<String> asUser(List<String> argv) {
        if (!asRoot()) {
            return argv;
        }
        List<String> cmd = new ArrayList<>(List.of("runuser", "-u", runAs, "--"));
        cmd.addAll(argv);
        return cmd;
    }

    private static void run(String label, List<String> argv) throws IOException {
        new ExternalCommand(label, argv, Map.of(), PG_CTL_TIMEOUT).output();
    }

    static boolean asRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return "last lines of " + log + ":\n  " + String.join("\n  ", lines.subList(Math.max(0,
                    lines.size() - 8), lines.size()));
        } catch (IOException e) {
            return "see " + log;
        }
    }
}
