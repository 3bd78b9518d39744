package dev.firesafe.postgres;

import dev.firesafe.command.CommandJob;
import dev.firesafe.command.ExternalCommand;
import dev.firesafe.plan.PostgresSource;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a PostgreSQL source into streamed archive entries: {@code pg_dumpall} as {@code postgres/HOST_PORT/all.sql}
 * (roles, tablespaces and every database, replayed with psql), or {@code pg_dump -Fc} per listed database as
 * {@code postgres/HOST_PORT/DB.dump} (replayed with pg_restore). The server's version is asked and a matching
 * client chosen here, before the backup writes anything.
 */
public final class PostgresDumps {

    /** Generous: a dump that takes longer is better killed and reported than left hanging a nightly job. */
    static final Duration DUMP_TIMEOUT = Duration.ofHours(12);

    private PostgresDumps() {
    }

    public static List<CommandJob> prepare(PostgresSource source, PgClients clients) throws IOException {
        PgConnection conn = new PgConnection(source);
        ServerVersion server = conn.serverVersion(clients, source.all() ? "postgres" : source.databases().get(0));
        List<CommandJob> jobs = new ArrayList<>();
        if (source.all()) {
            PgClients.Client dumpall = clients.forServer("pg_dumpall", server, conn.describe());
            jobs.add(new CommandJob(source.folder() + "/all.sql", new ExternalCommand(
                    "pg_dumpall of PostgreSQL server " + conn.describe(),
                    List.of(dumpall.path().toString(), "-w"), conn.env(), DUMP_TIMEOUT, PgConnection.SECRET_ENV)));
        } else {
            PgClients.Client dump = clients.forServer("pg_dump", server, conn.describe());
            for (String db : source.databases()) {
                jobs.add(new CommandJob(source.folder() + "/" + db + ".dump", new ExternalCommand(
                        "pg_dump of database '" + db + "' on PostgreSQL server " + conn.describe(),
                        List.of(dump.path().toString(), "-w", "-Fc", "-d", db), conn.env(), DUMP_TIMEOUT, PgConnection.SECRET_ENV)));
            }
        }
        return jobs;
    }
}
