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
 * <p>A pg_dumpall script replayed into a fresh cluster always meets the roles initdb made (at least the connecting
 * superuser: "role ... already exists"); psql reports such errors and goes on, as the PostgreSQL documentation
 * describes for this case. They are counted and shown, not hidden. pg_restore failing fails the restore.
 */
public final class PostgresRestore {

    static final Duration REPLAY_TIMEOUT = Duration.ofHours(12);

    /** What was replayed from one file, and the errors psql reported and went past. */
    public record Replayed(String file, String tool, int errors, List<String> firstErrors) {
    }

    private PostgresRestore() {
    }

    public static List<Replayed> replay(Path restored, PostgresSource server, PgClients clients) {
        List<Path> dumps = findDumps(restored);
        if (dumps.isEmpty()) {
            throw FiresafeException.usage("--postgres: the restored files hold no PostgreSQL dumps "
                    + "(postgres/*/all.sql or *.dump; with --include, include 'postgres' too)");
        }
        PgConnection conn = new PgConnection(server);
        List<Replayed> done = new ArrayList<>();
        try {
            ServerVersion version = conn.serverVersion(clients, "postgres");
            for (Path dump : dumps) {
                String rel = restored.relativize(dump).toString();
                if (rel.endsWith(".sql")) {
                    PgClients.Client psql = clients.forServer("psql", version, conn.describe());
                    ExternalCommand.Finished f = new ExternalCommand("psql replaying " + rel + " into "
                            + conn.describe(), List.of(psql.path().toString(), "-X", "-q", "-w", "-d", "postgres",
                            "-f", dump.toString()), conn.env(), REPLAY_TIMEOUT, PgConnection.SECRET_ENV)
                            .run(in -> in.transferTo(java.io.OutputStream.nullOutputStream()));
                    done.add(new Replayed(rel, "psql " + psql.version(), f.errorCount(), f.firstErrors()));
                } else {
                    PgClients.Client restore = clients.forServer("pg_restore", version, conn.describe());
                    ExternalCommand.Finished f = new ExternalCommand("pg_restore of " + rel + " into "
                            + conn.describe(), List.of(restore.path().toString(), "-w", "--create", "-d", "postgres",
                            dump.toString()), conn.env(), REPLAY_TIMEOUT, PgConnection.SECRET_ENV)
                            .run(in -> in.transferTo(java.io.OutputStream.nullOutputStream()));
                    done.add(new Replayed(rel, "pg_restore " + restore.version(), f.errorCount(), f.firstErrors()));
                }
            }
        } catch (IOException e) {
            throw FiresafeException.source("replaying dumps into PostgreSQL server " + conn.describe() + " failed: "
                    + e.getMessage());
        }
        return done;
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
