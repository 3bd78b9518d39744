package dev.firesafe.plan;

import java.nio.file.Path;
import java.util.List;

/**
 * A PostgreSQL server to dump: every database with {@code pg_dumpall} (empty {@code databases}), or the listed
 * ones with {@code pg_dump -Fc}; or, with {@code base}, a physical base backup of the whole cluster
 * ({@code pg_basebackup}, the start of a point-in-time recovery: docs/pitr.md). The password comes from {@code passwordFile} (a file holding only the password,
 * as Docker secrets are) or, when that is null, from libpq's own {@code PGPASSWORD} / {@code PGPASSFILE}.
 */
public record PostgresSource(String host, int port, String user, Path passwordFile, String sslmode,
                             List<String> databases, boolean base) {

    public PostgresSource(String host, int port, String user, Path passwordFile, String sslmode,
                          List<String> databases) {
        this(host, port, user, passwordFile, sslmode, databases, false);
    }

    /** This server as a base backup source ({@code backup --postgres-base}, {@code postgres-base:}). */
    public PostgresSource asBase() {
        return new PostgresSource(host, port, user, passwordFile, sslmode, List.of(), true);
    }

    public PostgresSource {
        host = host == null || host.isBlank() ? "localhost" : host;
        port = port == 0 ? 5432 : port;
        databases = databases == null ? List.of() : List.copyOf(databases);
    }

    public boolean all() {
        return databases.isEmpty();
    }

    /** The archive folder of this server's dumps, {@code postgres/HOST_PORT}, or base backup, {@code postgres-base/HOST_PORT}. */
    public String folder() {
        return (base ? "postgres-base/" : "postgres/") + host.replaceAll("[^A-Za-z0-9._-]", "_") + "_" + port;
    }
}
