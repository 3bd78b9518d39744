package dev.firesafe.postgres;

import dev.firesafe.core.FiresafeException;
import dev.firesafe.plan.WalSpec;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * PostgreSQL's side of continuous WAL archiving: the {@code pg_receivewal} command line for a {@link WalSpec}
 * (the client matched to the server's major version, as for dumps), its replication slot, and what the server
 * says about slots and its own {@code archive_command} ({@code pg_stat_archiver}, the size of {@code pg_wal}).
 * Connection settings reach the programs through libpq's environment ({@link PgConnection#env()}).
 */
public final class WalReceiver {

    private static final String DATABASE = "postgres";

    /** A replication slot: whether a receiver is attached, and how much WAL it keeps on the server. */
    public record Slot(String name, boolean active, long retainedBytes) {
    }

    /**
     * The server's archiver ({@code pg_stat_archiver}), its {@code pg_wal} size and the segments its
     * {@code archive_command} has not yet stored ({@code .ready} files): how far a failing archive_command lets
     * {@code pg_wal} grow.
     */
    public record Archiver(long archivedCount, Instant lastArchivedTime, long failedCount, String lastFailedWal,
                           Instant lastFailedTime, long readySegments, Instant oldestReady, long walBytes) {
        /** Failing now: the last failure is newer than the last success. */
        public boolean failing() {
            return lastFailedTime != null && (lastArchivedTime == null || lastFailedTime.isAfter(lastArchivedTime));
        }
    }

    private final WalSpec spec;
    private final PgConnection connection;
    private final PgClients clients;

    public WalReceiver(WalSpec spec, PgClients clients) {
        this.spec = spec;
        this.connection = new PgConnection(spec.server());
        this.clients = clients;
    }

    public String describeServer() {
        return connection.describe();
    }

    /** The environment of every program run against the server (PGPASSWORD among it: never log it). */
    public Map<String, String> env() {
        return connection.env();
    }

    /**
     * The {@code pg_receivewal} of the server's major version or newer (asks the server its version first); a
     * clear error naming the versions found when there is none.
     */
    public PgClients.Client client() throws IOException {
        ServerVersion version = connection.serverVersion(clients, DATABASE);
        return clients.forServer("pg_receivewal", version, connection.describe());
    }

    /**
     * Creates the slot unless it exists, reserving WAL at once ({@code immediately_reserve}): a slot made by
     * {@code pg_receivewal --create-slot} keeps nothing until a receiver first streams from it, so WAL written in
     * between would never reach the archive. The name is checked ({@link WalSpec}) before it is put in the query.
     */
    public void createSlot() throws IOException {
        connection.query(clients, DATABASE, "creating replication slot " + spec.slot(),
                "SELECT pg_create_physical_replication_slot('" + spec.slot() + "', true) WHERE NOT EXISTS "
                        + "(SELECT 1 FROM pg_replication_slots WHERE slot_name = '" + spec.slot() + "')");
    }

    /**
     * The receiver's command line: into {@code spool}, on the slot, exiting on a lost connection ({@code -n}) so
     * that Firesafe restarts it with backoff and counts it, {@code --synchronous} when asked.
     */
    public List<String> command(PgClients.Client receivewal, Path spool) {
        List<String> argv = new ArrayList<>(List.of(receivewal.path().toString(), "--directory", spool.toString(),
                "--slot", spec.slot(), "--no-loop", "--no-password", "--verbose", "--status-interval", "1"));
        if (spec.synchronous()) {
            argv.add("--synchronous");
        }
        return argv;
    }

    /** Every replication slot of the server, with the WAL each keeps from being removed. */
    public List<Slot> slots() throws IOException {
        List<Slot> slots = new ArrayList<>();
        for (String[] row : connection.query(clients, DATABASE, "listing replication slots",
                "SELECT slot_name, active, COALESCE(pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn), 0)::bigint "
                        + "FROM pg_replication_slots ORDER BY slot_name")) {
            slots.add(new Slot(row[0], "t".equals(row[1]), Long.parseLong(row[2])));
        }
        return slots;
    }

    /**
     * The backup history files ({@code SEGMENT.OFFSET.backup}) the server keeps in {@code pg_wal}: a base backup's
     * start and stop positions, which a point-in-time restore needs to find its base backups. The server hands them
     * to archive_command but never streams them, so the streamer ships them itself. Needs superuser or
     * pg_monitor and pg_read_server_files.
     */
    public java.util.Map<String, String> backupHistoryFiles() throws IOException {
        java.util.Map<String, String> files = new java.util.TreeMap<>();
        for (String[] row : connection.query(clients, DATABASE, "reading backup history files",
                "SELECT name, encode(pg_read_binary_file('pg_wal/' || name), 'base64') FROM pg_ls_waldir() "
                        + "WHERE name ~ '^[0-9A-F]{24}\\.[0-9A-F]{8}\\.backup$' ORDER BY name")) {
            files.put(row[0], new String(java.util.Base64.getMimeDecoder().decode(row[1]),
                    java.nio.charset.StandardCharsets.UTF_8));
        }
        return files;
    }

    /** The server's archiver statistics and pg_wal size (needs a superuser or a role in pg_monitor). */
    public Archiver archiver() throws IOException {
        List<String[]> rows = connection.query(clients, DATABASE, "reading pg_stat_archiver",
                "SELECT archived_count, extract(epoch FROM last_archived_time), failed_count, "
                        + "COALESCE(last_failed_wal, ''), extract(epoch FROM last_failed_time), (SELECT count(*) FROM pg_ls_archive_statusdir() WHERE name LIKE "
                        + "'%.ready'), (SELECT extract(epoch FROM min(modification)) FROM pg_ls_archive_statusdir() "
                        + "WHERE name LIKE '%.ready'), (SELECT COALESCE(sum(size), 0) FROM pg_ls_waldir()) "
                        + "FROM pg_stat_archiver");
        if (rows.size() != 1 || rows.get(0).length != 8) {
            throw FiresafeException.source("PostgreSQL server " + connection.describe()
                    + " gave no pg_stat_archiver row");
        }
        String[] r = rows.get(0);
        return new Archiver(Long.parseLong(r[0]), time(r[1]), Long.parseLong(r[2]), r[3].isEmpty() ? null : r[3],
                time(r[4]), Long.parseLong(r[5]), time(r[6]), Long.parseLong(r[7]));
    }

    /** Seconds since 1970 as psql prints {@code extract(epoch ...)}; null when empty (never happened). */
    static Instant time(String epochSeconds) {
        if (epochSeconds == null || epochSeconds.isBlank()) {
            return null;
        }
        return Instant.ofEpochMilli(new java.math.BigDecimal(epochSeconds.strip()).movePointRight(3).longValue());
    }
}
