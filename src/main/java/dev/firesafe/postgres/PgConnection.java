package dev.firesafe.postgres;

import dev.firesafe.core.FiresafeException;
import dev.firesafe.command.ExternalCommand;
import dev.firesafe.plan.PostgresSource;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How the client programs reach a server: libpq's own environment variables (PGHOST, PGPORT, PGUSER, PGSSLMODE,
 * PGPASSWORD), so no password is ever on a command line, where {@code ps} shows it to every user. Without a
 * password file in the plan, the programs inherit Firesafe's PGPASSWORD / PGPASSFILE as libpq would read them.
 */
public final class PgConnection {

    private static final Duration QUERY_TIMEOUT = Duration.ofMinutes(1);
    /** What of {@link #env()} must never appear in a message. */
    public static final java.util.Set<String> SECRET_ENV = java.util.Set.of("PGPASSWORD");

    private final PostgresSource source;

    public PgConnection(PostgresSource source) {
        this.source = source;
    }

    /** {@code postgresql://USER@HOST:PORT/}: dumps every database. A password in the URL is refused. */
    public static PostgresSource parseUrl(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw FiresafeException.usage("'" + url.replaceAll(":[^@/]*@", ":***@") + "' is not a URL like "
                    + "postgresql://USER@HOST:PORT/");
        }
        if (!"postgresql".equals(uri.getScheme()) && !"postgres".equals(uri.getScheme())) {
            throw FiresafeException.usage("--postgres wants postgresql://USER@HOST:PORT/");
        }
        String user = uri.getUserInfo();
        if (user != null && user.contains(":")) {
            throw FiresafeException.usage("do not put the password in the --postgres URL (it would show in ps and "
                    + "shell history): set PGPASSWORD or PGPASSFILE instead");
        }
        if (uri.getHost() == null) {
            throw FiresafeException.usage("--postgres URL has no host: postgresql://USER@HOST:PORT/");
        }
        return new PostgresSource(uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(), user, null, null,
                List.of());
    }

    public String describe() {
        return (source.user() == null ? "" : source.user() + "@") + source.host() + ":" + source.port();
    }

    /** The environment every client program of this server runs with. */
    public Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put("PGHOST", source.host());
        env.put("PGPORT", Integer.toString(source.port()));
        if (source.user() != null) {
            env.put("PGUSER", source.user());
        }
        if (source.sslmode() != null) {
            env.put("PGSSLMODE", source.sslmode());
        }
        env.put("PGCONNECT_TIMEOUT", "20");
        if (source.passwordFile() != null) {
            try {
                env.put("PGPASSWORD", Files.readString(source.passwordFile()).strip());
            } catch (IOException e) {
                throw FiresafeException.source("cannot read the password file " + source.passwordFile()
                        + " of PostgreSQL server " + describe());
            }
        }
        return env;
    }

    /**
     * The name of the server's bootstrap superuser (the role initdb made, oid 10): replaying a pg_dumpall script
     * into a fresh cluster meets it as "role ... already exists", which is expected, unlike any other error.
     */
    public String bootstrapSuperuser(PgClients clients, String database) throws IOException {
        PgClients.Client psql = clients.any("psql");
        return new ExternalCommand("psql (asking PostgreSQL server " + describe() + " its superuser)",
                List.of(psql.path().toString(), "-X", "-A", "-t", "-w", "-d", database, "-c",
                        "SELECT rolname FROM pg_roles WHERE oid = 10"), env(), QUERY_TIMEOUT, SECRET_ENV)
                .output().strip();
    }

    /** Asks the server its version with {@code psql}, before anything is written. */
    public ServerVersion serverVersion(PgClients clients, String database) throws IOException {
        PgClients.Client psql = clients.any("psql");
        String out = new ExternalCommand("psql (asking PostgreSQL server " + describe() + " its version)",
                List.of(psql.path().toString(), "-X", "-A", "-t", "-w", "-d", database, "-c",
                        "SHOW server_version_num"), env(), QUERY_TIMEOUT, SECRET_ENV).output();
        return ServerVersion.parse(out, describe());
    }

    /**
     * Runs one query with {@code psql} (unaligned, tuples only, fields separated by {@code |}) and returns its
     * rows; {@code what} says in messages why the server was asked.
     */
    public List<String[]> query(PgClients clients, String database, String what, String sql) throws IOException {
        PgClients.Client psql = clients.any("psql");
        String out = new ExternalCommand("psql (" + what + " on PostgreSQL server " + describe() + ")",
                List.of(psql.path().toString(), "-X", "-A", "-t", "-w", "-F", "|", "-d", database, "-c", sql), env(),
                QUERY_TIMEOUT, SECRET_ENV).output();
        return out.lines().filter(l -> !l.isBlank()).map(l -> l.split("\\|", -1)).toList();
    }
}
