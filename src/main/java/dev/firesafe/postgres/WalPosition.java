package dev.firesafe.postgres;

import dev.firesafe.core.FiresafeException;
import dev.firesafe.plan.PostgresSource;

import java.io.IOException;
import java.util.List;

/**
 * Where a server's WAL is now ({@code pg_current_wal_lsn()}, its timeline, {@code wal_segment_size}) and whether
 * it archives WAL itself ({@code archive_mode}). A base backup of a server that does not archive (its WAL is
 * streamed by {@code serve} instead) leaves no backup history file, since PostgreSQL removes it at once when
 * archiving is off: Firesafe writes one from the positions before and after the backup.
 */
public record WalPosition(String lsn, int timeline, long segmentSize, boolean archiving) {

    public static WalPosition of(PostgresSource source, PgClients clients) throws IOException {
        PgConnection conn = new PgConnection(source);
        List<String[]> rows = conn.query(clients, "postgres", "asking the WAL position",
                "SELECT pg_current_wal_lsn(), (SELECT timeline_id FROM pg_control_checkpoint()), "
                        + "(SELECT setting FROM pg_settings WHERE name = 'wal_segment_size'), "
                        + "current_setting('archive_mode')");
        if (rows.size() != 1 || rows.get(0).length != 4) {
            throw FiresafeException.source("PostgreSQL server " + conn.describe() + " did not tell its WAL position");
        }
        String[] r = rows.get(0);
        return new WalPosition(r[0], Integer.parseInt(r[1]), Long.parseLong(r[2]), !"off".equals(r[3]));
    }
}
