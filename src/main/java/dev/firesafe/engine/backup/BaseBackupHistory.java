package dev.firesafe.engine.backup;

import dev.firesafe.crypto.ContentKey;
import dev.firesafe.crypto.EncryptionKey;
import dev.firesafe.crypto.KeyRing;
import dev.firesafe.plan.PostgresSource;
import dev.firesafe.postgres.BaseBackups;
import dev.firesafe.postgres.PgClients;
import dev.firesafe.postgres.WalPosition;
import dev.firesafe.repository.wal.Lsn;
import dev.firesafe.repository.wal.WalArchive;
import dev.firesafe.repository.wal.WalName;
import dev.firesafe.store.Store;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * The backup history file of a base backup of a server that does not archive WAL itself (its WAL is streamed by
 * {@code serve}, docs/pitr.md "Streaming"): PostgreSQL writes one only to hand it to archive_command and removes it
 * at once when archiving is off, yet a point-in-time restore finds base backups by these files. So Firesafe writes
 * {@code SEGMENT.OFFSET.backup} itself, with the backup's label and WAL positions taken just before the backup
 * starts and just after it ends: an earlier start and a later stop than the server's own, so a restore asks for a
 * little more WAL than it strictly needs, never less. Servers that archive leave this to their archive_command.
 */
final class BaseBackupHistory {

    private static final Logger LOG = Logger.getLogger(BaseBackupHistory.class);

    private final PostgresSource source;
    private final WalPosition before;

    private BaseBackupHistory(PostgresSource source, WalPosition before) {
        this.source = source;
        this.before = before;
    }

    /** Where the server's WAL is before the backup; empty when the server archives its own history files. */
    static Optional<BaseBackupHistory> begin(PostgresSource source, PgClients clients) throws IOException {
        WalPosition before = WalPosition.of(source, clients);
        return before.archiving() ? Optional.empty() : Optional.of(new BaseBackupHistory(source, before));
    }

    /** Writes the history file of backup {@code backupId} into the plan's WAL archive on each of {@code stores}. */
    void publish(String plan, String backupId, List<Store> stores, EncryptionKey sealer, ContentKey contentKey,
                 KeyRing readers, int compressionLevel, PgClients clients, Clock clock) {
        try {
            WalPosition after = WalPosition.of(source, clients);
            Lsn start = Lsn.parse(before.lsn());
            // the backup ends with a segment switch, so the position after it is where the next segment starts:
            // the backup's own stop (its end record) lies before it, in the segment the switch completed
            Lsn stop = new Lsn(Math.max(start.value(), Lsn.parse(after.lsn()).value() - 1));
            long size = before.segmentSize();
            WalName startSegment = WalName.segment(before.timeline(), start.segment(size), size);
            WalName stopSegment = WalName.segment(after.timeline(), stop.segment(size), size);
            String name = startSegment.name() + String.format(".%08X.backup", start.value() % size);
            String text = "START WAL LOCATION: " + start + " (file " + startSegment.name() + ")\n"
                    + "STOP WAL LOCATION: " + stop + " (file " + stopSegment.name() + ")\n"
                    + "BACKUP METHOD: streamed\nBACKUP FROM: primary\n"
                    + "LABEL: " + BaseBackups.label(backupId) + "\n"
                    + "START TIMELINE: " + before.timeline() + "\nSTOP TIMELINE: " + after.timeline() + "\n";
            Path file = Files.createTempFile("firesafe-", ".backup");
            try {
                Files.writeString(file, text);
                for (Store store : stores) {
                    WalArchive.forPushing(store, plan, sealer, contentKey, Optional.ofNullable(readers),
                            compressionLevel, clock).push(name, file);
                }
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException | RuntimeException e) {
            LOG.errorf("base backup %s of plan %s: its backup history file could not be archived (%s); a "
                    + "point-in-time restore will not find this base backup", backupId, plan, e.getMessage());
        }
    }
}
