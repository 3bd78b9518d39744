package dev.firesafe.engine.restore;

import dev.firesafe.core.ExitCode;
import dev.firesafe.core.Failures;
import dev.firesafe.core.FiresafeException;
import dev.firesafe.crypto.ArchiveCipher;
import dev.firesafe.crypto.KeyRing;
import dev.firesafe.crypto.KeySource;
import dev.firesafe.engine.wal.WalInventory;
import dev.firesafe.postgres.PgClients;
import dev.firesafe.postgres.PgServer;
import dev.firesafe.repository.BackupCatalog;
import dev.firesafe.repository.BackupId;
import dev.firesafe.repository.wal.Lsn;
import dev.firesafe.repository.wal.WalArchive;
import dev.firesafe.store.Store;
import dev.firesafe.store.StoreRegistry;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.stream.Collectors;

/**
 * {@code restore --postgres-pitr} (issue #21, docs/pitr.md): a data directory that {@code pg_ctl start} recovers to
 * a point in time. In this order, so that nothing is written unless the recovery can succeed:
 * <ol>
 *   <li>the key: it must open the plan's backups and WAL archive (else the key exit code, nothing written);</li>
 *   <li>the WAL archive's inventory ({@link WalInventory}): base backups, timelines;</li>
 *   <li>the base backup: the newest one that ended before the target;</li>
 *   <li>the WAL from it to the target on every timeline on the way, which must all be archived: a gap is reported
 *       with its LSN range and nothing is written;</li>
 *   <li>the data directory (0700) from the backup's {@code base.tar}, streamed; then {@code recovery.signal} and
 *       the recovery settings in {@code postgresql.auto.conf}: {@code restore_command}, the target,
 *       {@code recovery_target_timeline = 'latest'}, {@code recovery_target_action};</li>
 *   <li>optionally the server, started on a port, waited for until recovery has finished.</li>
 * </ol>
 */
public final class PitrRestore {

    /** What to restore. {@code targetTime} and {@code targetLsn}: at most one; neither is the newest archived WAL. */
    public record Request(String targetUri, String plan, Path dir, Instant targetTime, Lsn targetLsn, boolean pause,
                          String restoreCommand, Integer startPort, String runAs, Duration startTimeout) {
    }

    /** What was restored. {@code recovered}: how the started server ended recovery (null when not started). */
    public record Result(String backupId, Lsn baseStart, int baseTimeline, int targetTimeline, String target,
                         Lsn archivedEnd, String dir, PgServer.Recovered recovered, List<String> warnings) {
    }

    private static final String ENTRY = "postgres-base/**";
    private static final DateTimeFormatter PG_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSSxxx")
            .withZone(ZoneOffset.UTC);

    private final KeySource keys;
    private final StoreRegistry stores;
    private final RestoreService restores;
    private final PgClients clients;

    public PitrRestore(KeySource keys, StoreRegistry stores, RestoreService restores, PgClients clients) {
        this.keys = keys;
        this.stores = stores;
        this.restores = restores;
        this.clients = clients;
    }

    public Result restore(Request r) {
        if (r.targetTime() != null && r.targetLsn() != null) {
            throw FiresafeException.usage("give --target-time or --target-lsn, not both");
        }
        if (r.pause() && r.targetTime() == null && r.targetLsn() == null) {
            throw FiresafeException.usage("--pause needs a target (--target-time or --target-lsn): without one, "
                    + "recovery replays everything archived and ends there");
        }
        KeyRing key = keys.forReading();
        try (Store store = stores.open(r.targetUri())) {
            List<BackupCatalog.Ref> backups = BackupCatalog.list(store, r.plan());
            if (backups.isEmpty()) {
                throw new FiresafeException(ExitCode.TARGET, "no backups of plan '" + r.plan() + "' in "
                        + store.describe());
            }
            checkKey(store, backups.get(backups.size() - 1), key);
            WalInventory inventory = WalInventory.read(WalArchive.forReading(store, r.plan(), key),
                    backups.stream().map(BackupCatalog.Ref::id).collect(Collectors.toSet()));
            WalInventory.Base base = pick(inventory, r, store);
            int timeline = inventory.newestTimeline();
            List<WalInventory.Gap> gaps = inventory.gaps(base, timeline, r.targetLsn());
            if (!gaps.isEmpty()) {
                throw FiresafeException.integrity("the WAL archive of plan '" + r.plan() + "' in " + store.describe()
                        + " lacks WAL that recovery from base backup " + base.backupId() + " (from "
                        + base.history().start() + " on timeline " + base.history().startTimeline() + ") needs: "
                        + gaps.stream().map(g -> g.from().equals(g.to()) ? "timeline " + g.timeline()
                                + ": its .history file" : g.toString() + " (segment "
                                + inventory.segmentName(g.timeline(), g.from()) + " on)")
                        .collect(Collectors.joining("; ")) + ". Nothing was written. A target before the gap, "
                        + "--target-lsn " + gaps.get(0).from() + " or earlier, can be reached");
            }
            Path created = RestoreService.prepareDestination(r.dir(), false);
            try {
                Files.setPosixFilePermissions(r.dir(), PosixFilePermissions.fromString("rwx------"));
                DataDirectoryWriter writer = new DataDirectoryWriter(r.dir(),
                        name -> name.matches("postgres-base/[^/]+/base\\.tar"));
                RestoreResult read = restores.read(store, base.backupId(), r.plan(), r.dir(), writer,
                        List.of(ENTRY), key);
                if (!writer.found()) {
                    throw FiresafeException.integrity("backup " + base.backupId() + " holds no postgres-base/*/"
                            + "base.tar, though the WAL archive names it as a base backup");
                }
                String target = configure(r, base);
                PgServer.Recovered recovered = null;
                if (r.startPort() != null) {
                    recovered = new PgServer(r.dir(), clients, r.runAs()).startAndAwaitRecovery(r.startPort(),
                            r.dir().resolve("firesafe-recovery.log"), r.startTimeout());
                }
                List<String> warnings = new java.util.ArrayList<>(writer.warnings());
                warnings.addAll(read.warnings());
                return new Result(base.backupId(), base.history().start(), base.history().startTimeline(), timeline,
                        target, inventory.archivedEnd(timeline).orElse(null), r.dir().toString(), recovered, warnings);
            } catch (IOException e) {
                throw RestoreService.cannotUse(r.dir(), e);
            } catch (RuntimeException e) {
                RestoreService.removeIfEmpty(r.dir(), created);
                throw e;
            }
        } catch (IOException e) {
            throw Failures.classify(e, "cannot read plan '" + r.plan() + "' from " + r.targetUri());
        }
    }

    /** Opens the newest backup's header with the key: a key that cannot read it fails before anything is written. */
    private static void checkKey(Store store, BackupCatalog.Ref newest, KeyRing key) throws IOException {
        try (InputStream in = store.open(newest.objectName(), 0, 13 + 64 * 1024)) {
            ArchiveCipher.decrypt(in, key, newest.id(), "backup " + newest.id() + " in " + store.describe());
        }
    }

    private static WalInventory.Base pick(WalInventory inventory, Request r, Store store) {
        if (inventory.bases().isEmpty()) {
            throw new FiresafeException(ExitCode.TARGET, "no base backup of plan '" + r.plan() + "' in "
                    + store.describe() + " that the WAL archive knows: take one with 'backup --postgres-base URL "
                    + "--plan " + r.plan() + "' while archive_command runs 'wal-push %p --plan " + r.plan()
                    + "' (docs/pitr.md)");
        }
        List<WalInventory.Base> usable = inventory.bases().stream().filter(b -> endsBefore(b, r)).toList();
        if (usable.isEmpty()) {
            WalInventory.Base oldest = inventory.bases().get(0);
            throw FiresafeException.usage("the target is before the end of the oldest base backup (" + oldest.backupId()
                    + ", consistent from " + oldest.history().stop() + oldest.history().stopTime().map(t -> ", " + t)
                    .orElse("") + "): no base backup can reach it");
        }
        return usable.get(usable.size() - 1);
    }

    private static boolean endsBefore(WalInventory.Base b, Request r) {
        if (r.targetLsn() != null) {
            return b.history().stop().compareTo(r.targetLsn()) <= 0;
        }
        if (r.targetTime() != null) {
            Instant end = b.history().stopTime().orElse(BackupId.time(b.backupId()));
            return !end.isAfter(r.targetTime());
        }
        return true;
    }

    /** recovery.signal and the settings; returns the target as written. */
    private static String configure(Request r, WalInventory.Base base) throws IOException {
        Files.writeString(r.dir().resolve("recovery.signal"), "", StandardOpenOption.CREATE);
        String target;
        StringBuilder conf = new StringBuilder("\n# Firesafe point-in-time recovery (restore --postgres-pitr) from "
                + "backup " + base.backupId() + "\n");
        conf.append("restore_command = ").append(quote(r.restoreCommand())).append('\n');
        conf.append("recovery_target_timeline = 'latest'\n");
        if (r.targetTime() != null) {
            target = PG_TIME.format(r.targetTime());
            conf.append("recovery_target_time = ").append(quote(target)).append('\n');
        } else if (r.targetLsn() != null) {
            target = r.targetLsn().toString();
            conf.append("recovery_target_lsn = ").append(quote(target)).append('\n');
        } else {
            target = "latest";
        }
        if (!target.equals("latest")) {
            conf.append("recovery_target_action = ").append(r.pause() ? "'pause'" : "'promote'").append('\n');
        }
        Files.writeString(r.dir().resolve("postgresql.auto.conf"), conf.toString(), StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        return target;
    }

    /** A value in postgresql.conf syntax: single quotes, a quote doubled. */
    static String quote(String value) {
        return "'" + value.replace("'", "''") + "'";
    }
}
