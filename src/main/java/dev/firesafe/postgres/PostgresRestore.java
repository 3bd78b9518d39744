package dev.firesafe.postgres;

import dev.firesafe.core.FiresafeException;
import dev.firesafe.command.ExternalCommand;
import dev.firesafe.plan.PostgresSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Replays restored dumps into a running server, after the files are extracted and checked: every
 * {@code postgres/*}{@code /all.sql} (pg_dumpall) with psql, every {@code postgres/*}{@code /DB.dump} (pg_dump -Fc)
 * with {@code pg_restore --create}. The clients must be of the target server's major version or newer.
 *
 * <p>A pg_dumpall script replayed into a fresh cluster always meets the role initdb made (the bootstrap
 * superuser: "role ... already exists"); psql reports such errors and goes on, as the PostgreSQL documentation
 * describes for this case. That one is expected and counted apart; any other error psql reports (a duplicate key,
 * "database ... already exists": a server that was not empty) makes the replay a failure for its caller
 * ({@link #errors}), though psql went on (issue #19: such a restore exited 0). pg_restore failing fails at once.
 */
public final class PostgresRestore {

    static final Duration REPLAY_TIMEOUT = Duration.ofHours(12);

    /** The full stderr of every replay of {@code restore --postgres}, in the restored folder (owner-only). */
    public static final String LOG = "FIRESAFE-POSTGRES-REPLAY.log";

    /**
     * What was replayed from one file: the errors psql reported and went past ({@code firstErrors} the first few),
     * and apart from them {@code expectedErrors}, the bootstrap superuser's "role ... already exists".
     */
    public record Replayed(String file, String tool, int errors, List<String> firstErrors, int expectedErrors) {
    }

    private PostgresRestore() {
    }

    /** Every error the replays reported but the expected ones: more than 0 is a failed replay. */
    public static int errors(List<Replayed> replayed) {
        return replayed.stream().mapToInt(Replayed::errors).sum();
    }

    public static List<Replayed> replay(Path restored, PostgresSource server, PgClients clients) {
        return replay(restored, server, clients, null);
    }

    /** As {@link #replay(Path, PostgresSource, PgClients)}, with all the tools print on stderr in {@code log}. */
    public static List<Replayed> replay(Path restored, PostgresSource server, PgClients clients, Path log) {
        List<Path> dumps = findDumps(restored);
        if (dumps.isEmpty()) {
            throw FiresafeException.usage("--postgres: the restored files hold no PostgreSQL dumps "
                    + "(postgres/*/all.sql or *.dump; with --include, include 'postgres/**' too)");
        }
        PgConnection conn = new PgConnection(server);
        List<Replayed> done = new ArrayList<>();
        try {
            ServerVersion version = conn.serverVersion(clients, "postgres");
            String superuser = conn.bootstrapSuperuser(clients, "postgres");
            String expected = "ERROR:  role \"" + superuser + "\" already exists";
            if (log != null) {
                startLog(log);
            }
            for (Path dump : dumps) {
                String rel = restored.relativize(dump).toString();
                if (rel.endsWith(".sql")) {
                    PgClients.Client psql = clients.forServer("psql", version, conn.describe());
                    ExternalCommand.Finished f = withLog(new ExternalCommand("psql replaying " + rel + " into "
                            + conn.describe(), List.of(psql.path().toString(), "-X", "-q", "-w", "-d", "postgres",
                            "-f", dump.toString()), conn.env(), REPLAY_TIMEOUT, PgConnection.SECRET_ENV), log)
                            .expectingErrors(line -> !superuser.isEmpty() && line.contains(expected))
                            .run(in -> in.transferTo(java.io.OutputStream.nullOutputStream()));
                    done.add(new Replayed(rel, "psql " + psql.version(), f.errorCount(), f.firstErrors(),
                            f.expectedErrors()));
                } else {
                    PgClients.Client restore = clients.forServer("pg_restore", version, conn.describe());
                    ExternalCommand.Finished f = withLog(new ExternalCommand("pg_restore of " + rel + " into "
                            + conn.describe(), List.of(restore.path().toString(), "-w", "--create", "-d", "postgres",
                            dump.toString()), conn.env(), REPLAY_TIMEOUT, PgConnection.SECRET_ENV), log)
                            .run(in -> in.transferTo(java.io.OutputStream.nullOutputStream()));
                    done.add(new Replayed(rel, "pg_restore " + restore.version(), f.errorCount(), f.firstErrors(),
                            f.expectedErrors()));
                }
            }
        } catch (IOException e) {
            throw FiresafeException.source("replaying dumps into PostgreSQL server " + conn.describe() + " failed: "
                    + e.getMessage());
        }
        return done;
    }

    private static ExternalCommand withLog(ExternalCommand command, Path log) {
        return log == null ? command : command.stderrTo(log);
    }

    /** A new log, owner-only: error lines quote rows (a duplicate key's value), which may be private. */
    private static void startLog(Path log) throws IOException {
        Files.deleteIfExists(log);
        Files.createFile(log, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        Files.writeString(log, "# what psql and pg_restore printed on stderr while Firesafe replayed the restored "
                + "dumps, one section per dump\n");
    }

    /** pg_dumpall scripts first: they create the roles the per-database dumps' owners and grants name. */
    static List<Path> findDumps(Path restored) {
        Path root = restored.resolve("postgres");
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(root, 2)) {
            List<Path> all = files.filter(Files::isRegularFile).filter(p -> p.getParent().getParent().equals(root))
                    .filter(p -> p.getFileName().toString().equals("all.sql")
                            || p.getFileName().toString().endsWith(".dump"))
                    .sorted().toList();
            List<Path> ordered = new ArrayList<>(all.stream().filter(p -> p.toString().endsWith(".sql")).toList());
            ordered.addAll(all.stream().filter(p -> p.toString().endsWith(".dump")).toList());
            return ordered;
        } catch (IOException e) {
            throw FiresafeException.usage("cannot read " + root + ": " + e.getMessage());
        }
    }
}
