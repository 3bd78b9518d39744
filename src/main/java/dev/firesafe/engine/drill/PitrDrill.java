package dev.firesafe.engine.drill;

import dev.firesafe.command.ExternalCommand;
import dev.firesafe.core.ExitCode;
import dev.firesafe.core.FiresafeException;
import dev.firesafe.engine.restore.PitrRestore;
import dev.firesafe.postgres.PgClients;
import dev.firesafe.postgres.PgServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A point-in-time recovery drill of one target ({@code drill --postgres-pitr}): restores the newest base backup and
 * every archived WAL file after it ({@link PitrRestore}, to the newest WAL) into a scratch cluster, starts it on a
 * free loopback port and waits until recovery has finished, asks it {@code SELECT 1} and the user's query, then
 * stops the server and removes the scratch folder, whatever happened. The time from the first read of the target
 * to the query's answer is the measured RTO.
 */
final class PitrDrill {

    private static final Duration QUERY_TIMEOUT = Duration.ofMinutes(10);

    /** What to ask the recovered server: {@code query} (may be null) in {@code database}. */
    record Check(String query, String database, String runAs, Function<Path, String> restoreCommand) {
    }

    private final PitrRestore restore;
    private final PgClients clients;
    private final Path scratchParent;
    private final Clock clock;

    PitrDrill(PitrRestore restore, PgClients clients, Path scratchParent, Clock clock) {
        this.restore = restore;
        this.clients = clients;
        this.scratchParent = scratchParent;
        this.clock = clock;
    }

    DrillResult.TargetDrill run(String plan, String target, Check check) {
        long start = clock.millis();
        try (ScratchDir scratch = new ScratchDir(scratchParent)) {
            // the server runs as another user under root: it must reach its data directory inside the scratch
            Files.setPosixFilePermissions(scratch.path(), PosixFilePermissions.fromString("rwx--x--x"));
            Path data = scratch.path().resolve("data");
            int port = freePort();
            PitrRestore.Result r;
            try {
                r = restore.restore(new PitrRestore.Request(target, plan, data, null, null, false,
                        check.restoreCommand().apply(data), port, check.runAs(), Duration.ofHours(24)));
            } catch (FiresafeException e) {
                stopQuietly(data, check.runAs());
                throw e;
            }
            PgServer server = new PgServer(data, clients, check.runAs());
            try {
                String answer = ask(server, port, "postgres", "SELECT 1");
                if (!answer.equals("1")) {
                    throw FiresafeException.integrity("the recovered server answered SELECT 1 with '" + answer + "'");
                }
                String rows = null;
                if (check.query() != null) {
                    rows = ask(server, port, check.database(), check.query());
                }
                long rto = clock.millis() - start;
                String said = "recovered to " + r.target() + " (WAL archived up to " + r.archivedEnd() + ", timeline "
                        + r.targetTimeline() + "); answered SELECT 1" + (rows == null ? ""
                        : " and the query (" + rows.lines().count() + " row(s): " + firstLine(rows) + ")");
                return new DrillResult.TargetDrill(target, true, ExitCode.OK.code, r.backupId(), said, 0, 0, rto,
                        List.of(), List.of(), null);
            } finally {
                server.stop();
            }
        } catch (FiresafeException e) {
            return DrillResult.TargetDrill.failed(target, e.exitCode(), e.getMessage(), clock.millis() - start);
        } catch (IOException e) {
            return DrillResult.TargetDrill.failed(target, ExitCode.SOURCE, "PITR drill: " + e.getMessage(),
                    clock.millis() - start);
        }
    }

    /** A server restore started and left running when it failed afterwards (say a recovery that timed out). */
    private void stopQuietly(Path data, String runAs) {
        if (Files.exists(data.resolve("postmaster.pid"))) {
            try {
                new PgServer(data, clients, runAs).stop();
            } catch (IOException | RuntimeException e) {
                // the scratch folder goes anyway; the server then stops by itself when its files are gone
            }
        }
    }

    private String ask(PgServer server, int port, String database, String sql) throws IOException {
        PgClients.Client psql = clients.any("psql");
        return new ExternalCommand("psql (the drill's query on the recovered server)", List.of(
                psql.path().toString(), "-X", "-A", "-t", "-w", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p",
                Integer.toString(port), "-U", server.superuser(), "-d", database, "-c", sql), Map.of(),
                QUERY_TIMEOUT).output().strip();
    }

    private static String firstLine(String text) {
        String first = text.lines().findFirst().orElse("");
        return first.length() > 80 ? first.substring(0, 80) + "..." : first;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
