package dev.firesafe.postgres;

import dev.firesafe.command.CommandJob;
import dev.firesafe.command.ExternalCommand;
import dev.firesafe.plan.PostgresSource;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A physical base backup of a whole cluster as one streamed archive entry, {@code postgres-base/HOST_PORT/base.tar}:
 * {@code pg_basebackup -D - -Ft -X none}, the data directory as a tar on stdout, straight into the backup pipeline
 * (chunked, deduplicated against earlier base backups, encrypted; nothing staged on disk). The WAL it needs comes
 * from the WAL archive ({@code wal-push}), not the tar: {@code -X none} keeps one copy of the WAL, and
 * pg_basebackup waits until the last segment the backup needs is archived. Single-tablespace clusters only (with
 * several, pg_basebackup refuses to write tar to stdout, and says so).
 *
 * <p>The label ({@code firesafe BACKUP_ID}) names the Firesafe backup in the backup history file PostgreSQL
 * archives at the end ({@code SEGMENT.OFFSET.backup}, with start and stop LSN and times), which is how a
 * point-in-time restore finds the base backups and picks one without decrypting any.
 */
public final class BaseBackups {

    /** The entry's name below {@link PostgresSource#folder()}. */
    public static final String TAR = "base.tar";
    static final String LABEL_PREFIX = "firesafe ";
    static final Duration TIMEOUT = Duration.ofHours(24);

    private BaseBackups() {
    }

    /** The pg_basebackup label of backup {@code backupId}. */
    public static String label(String backupId) {
        return LABEL_PREFIX + backupId;
    }

    /** The Firesafe backup id a base backup label names, if it is one of ours. */
    public static Optional<String> backupIdOf(String label) {
        return label != null && label.startsWith(LABEL_PREFIX)
                ? Optional.of(label.substring(LABEL_PREFIX.length()).strip()) : Optional.empty();
    }

    /**
     * The job; asks the server's version first and picks a pg_basebackup of that major version or newer (before
     * anything is written).
     */
    public static CommandJob prepare(PostgresSource source, PgClients clients, String label) throws IOException {
        PgConnection conn = new PgConnection(source);
        ServerVersion server = conn.serverVersion(clients, "postgres");
        PgClients.Client basebackup = clients.forServer("pg_basebackup", server, conn.describe());
        List<String> argv = new ArrayList<>(List.of(basebackup.path().toString(), "-w", "-D", "-", "-F", "t",
                "-X", "none", "-c", "fast", "--no-manifest", "-l", label));
        return new CommandJob(source.folder() + "/" + TAR, new ExternalCommand("pg_basebackup of PostgreSQL server "
                + conn.describe(), argv, conn.env(), TIMEOUT, PgConnection.SECRET_ENV));
    }
}
