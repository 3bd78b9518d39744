package dev.firesafe.engine.backup;

import dev.firesafe.archive.Manifest;
import dev.firesafe.chunking.Chunker;
import dev.firesafe.chunking.ChunkerParams;
import dev.firesafe.command.CommandJob;
import dev.firesafe.core.Failures;
import dev.firesafe.core.FiresafeConfig;
import dev.firesafe.core.FiresafeException;
import dev.firesafe.core.Progress;
import dev.firesafe.io.HostName;
import dev.firesafe.crypto.ArchiveCipher;
import dev.firesafe.crypto.BackupHeader;
import dev.firesafe.crypto.ContentKey;
import dev.firesafe.crypto.EncryptionKey;
import dev.firesafe.crypto.KeyRing;
import dev.firesafe.archive.Compression;
import dev.firesafe.engine.retention.PruneService;
import dev.firesafe.plan.Plan;
import dev.firesafe.repository.BackupCatalog;
import dev.firesafe.repository.BackupId;
import dev.firesafe.store.Store;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One backup of a plan to its stores, as separate steps: open an upload on every store, write the one object
 * through the pipeline ({@link ChunkedBackup}) into all of them at once, commit it on each, apply the plan's
 * retention where it committed, and say how it went. A store that fails is reported and dropped; the others go
 * on. Nothing is visible on a store until its commit, so a failure anywhere before leaves its previous backup
 * the latest.
 */
final class BackupRun {

    private static final Logger LOG = Logger.getLogger(BackupRun.class);

    /**
     * The chunker of new backups: keyed gear, min 256 KiB, normal 512 KiB, max 2 MiB, by measurement
     * (docs/chunking.md: the change stored as much as restic, 1.4x with 1 MiB chunks). Changing them makes
     * the next backup store everything again, nothing worse.
     */
    static final ChunkerParams CHUNKING = ChunkerParams.DEFAULT;

    /** The keys of one run: what encrypts, what names content, and what reads earlier backups (or null). */
    record Keys(EncryptionKey encryption, ContentKey content, KeyRing reading) {
    }

    /** A store and its upload of this backup, or why it could not take one. */
    private record Upload(Store store, Store.Upload upload, FanOutStream.Branch branch, String openError) {
        String error() {
            return openError != null ? openError : branch.error;
        }
    }

    /** How the commit on a store went: {@code error} is null when the store has the backup. */
    private record Committed(Store store, String error) {
    }

    private final FiresafeConfig config;
    private final PruneService retention;
    private final Clock clock;

    BackupRun(FiresafeConfig config, PruneService retention, Clock clock) {
        this.config = config;
        this.retention = retention;
        this.clock = clock;
    }

    BackupResult run(Plan plan, Progress progress, List<Path> roots, List<String> labels, List<CommandJob> jobs,
                     Keys keys, List<Store> stores, boolean full, StopGuard stop) {
        Instant started = clock.instant();
        return run(plan, progress, roots, labels, jobs, keys, stores, full, stop, started, BackupId.next(started));
    }

    /** The same, for a backup whose id was chosen before its sources were prepared (a base backup's label names it). */
    BackupResult run(Plan plan, Progress progress, List<Path> roots, List<String> labels, List<CommandJob> jobs,
                     Keys keys, List<Store> stores, boolean full, StopGuard stop, Instant started, String id) {
        String objectName = BackupCatalog.objectName(plan.name(), id);
        ArchiveCipher.Sealing sealing = keys.encryption().seal(id, plan.name(), started.toString(),
                        plan.compression().id)
                .withFormat(BackupHeader.FORMAT_CHUNKED);
        stop.backupId(id);

        List<Upload> uploads = open(stores, objectName, stop);
        List<Store> writable = uploads.stream().filter(u -> u.openError() == null).map(Upload::store).toList();
        Instant listed = clock.instant();
        try (PreviousBackups previous = PreviousBackups.open(writable, plan.name(), HostName.current(),
                Path.of(config.cacheDir()), keys.content(), keys.reading(), full, plan.fullEvery(), started)) {
            FanOutStream fanOut = new FanOutStream(uploads.stream().filter(u -> u.openError() == null)
                    .map(Upload::branch).toList());
            ChunkedBackup.Output output;
            try {
                output = ChunkedBackup.write(new ChunkedBackup.Inputs(id, plan.name(), started, plan.sources(),
                        roots, labels, jobs, localFolders(stores), sealing, keys.content(),
                        Chunker.create(keys.content().derive("firesafe chunker v1", 32), CHUNKING),
                        plan.compression(), config.compressionLevel(), config.compressionWorkers(), previous.known(),
                        previous.unchanged(), previous::written, progress, clock), fanOut);
            } catch (RuntimeException | IOException | Error e) {
                uploads.stream().filter(u -> u.upload() != null).forEach(u -> u.upload().abort());
                if (stop.stopped()) {
                    throw stop.stoppedFailure(); // its writes failed because the stop aborted the uploads
                }
                throw Failures.classify(e, "backup of plan '" + plan.name() + "' failed");
            }

            try (output) {
                if (!stop.beginCommits()) {
                    uploads.stream().filter(u -> u.upload() != null).forEach(u -> u.upload().abort());
                    throw stop.stoppedFailure();
                }
                return finish(plan, id, objectName, started, listed, uploads, previous, output, fanOut, stop);
            }
        }
    }

    /**
     * Commits on every store, then applies retention where it committed (a stop waits for the commits, which are
     * short, never for pruning), and tells the caches.
     */
    private BackupResult finish(Plan plan, String id, String objectName, Instant started, Instant listed,
                                List<Upload> uploads, PreviousBackups previous, ChunkedBackup.Output output,
                                FanOutStream fanOut, StopGuard stop) {
        List<Manifest.Warning> warnings = output.footer().warnings().stream()
                .map(w -> new Manifest.Warning(w.path(), w.problem())).toList();
        long missing = warnings.stream().filter(Manifest.Warning::missing).count();
        List<Committed> commits = new ArrayList<>();
        try {
            for (Upload u : uploads) {
                commits.add(new Committed(u.store(), commit(u, plan.name(), id, missing, previous.sources(), listed)));
            }
        } finally {
            stop.commitsEnded();
        }
        // Retention only after a complete backup: an incomplete one (entries it could not read) must never make
        // room by deleting complete ones, however often it repeats.
        List<BackupResult.TargetResult> results = new ArrayList<>();
        for (Committed c : commits) {
            results.add(prune(c.store(), plan, id, objectName, c.error(), missing == 0,
                    previous.listedAtStart(c.store())));
            if (c.error() == null) {
                previous.committed(c.store(), id, output.footer().full(), output.newChunks());
            }
        }
        return new BackupResult(id, plan.name(), output.footer().bytes(), fanOut.written(), output.footer().files(),
                clock.millis() - started.toEpochMilli(), plan.compression().id, results, warnings,
                output.footer().newBytes(), output.footer().dedupBytes(), output.footer().full(),
                output.unchangedFiles());
    }

    /**
     * Commits the upload on its store; the error, or null. An incomplete backup is marked for 'list' first. A backup
     * that ran longer than the prune grace period is not committed where prune may have reclaimed chunks it took
     * from a backup removed meanwhile (docs/retention.md, "Prune while backups run").
     */
    private String commit(Upload u, String plan, String id, long missing, Set<String> sources, Instant listed) {
        String error = u.error();
        if (error == null && !sources.isEmpty() && !clock.instant().isBefore(listed.plus(retention.grace()))) {
            error = retention.notCounted(u.store(), plan, sources).map(problem -> "this backup ran longer than "
                    + "firesafe.prune-grace (" + retention.grace() + ") and " + problem + ": it may refer to chunks "
                    + "prune has reclaimed, so it is not committed; run it again (or raise firesafe.prune-grace)")
                    .orElse(null);
        }
        if (error == null) {
            // the mark first: a backup is never listed without it, though a mark may outlive a failed commit
            boolean marked = missing > 0 && markIncomplete(u.store(), plan, id, missing);
            try {
                u.upload().commit();
            } catch (IOException e) {
                error = e.getMessage();
                if (marked) {
                    deleteQuietly(u.store(), BackupCatalog.incompleteMarker(plan, id));
                }
            }
        } else if (u.upload() != null) {
            u.upload().abort();
        }
        if (error != null) {
            LOG.errorf("backup %s of plan %s FAILED on target %s: %s", id, plan, u.store().describe(), error);
        }
        return error;
    }

    private BackupResult.TargetResult prune(Store s, Plan plan, String id, String objectName, String error,
                                            boolean complete, Set<String> listedAtStart) {
        PruneService.Report pruned = error == null && complete ? retention.prune(s, plan, false, id, listedAtStart)
                : null;
        if (pruned != null && !pruned.ok()) {
            LOG.warnf("retention on %s after backup %s: %s", s.describe(), id, pruned.error());
        }
        return new BackupResult.TargetResult(s.describe(), objectName, error == null, error,
                pruned == null ? List.of() : pruned.removed(), pruned == null ? null : pruned.error());
    }

    /** Stores the count of missing entries beside the backup, so 'list' (which needs no key) can say so. */
    private static boolean markIncomplete(Store target, String plan, String id, long missing) {
        try {
            Store.Upload mark = target.create(BackupCatalog.incompleteMarker(plan, id));
            try (OutputStream out = mark.stream()) {
                out.write(("{\"backup\":\"" + id + "\",\"missing\":" + missing + "}\n")
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            } catch (IOException | RuntimeException e) {
                mark.abort();
                throw e;
            }
            mark.commit();
            return true;
        } catch (IOException | RuntimeException e) {
            LOG.warnf("could not mark backup %s as incomplete on %s (list will not show it; verify does): %s", id,
                    target.describe(), e.getMessage());
            return false;
        }
    }

    private static void deleteQuietly(Store target, String name) {
        try {
            target.delete(name);
        } catch (IOException | RuntimeException e) {
            LOG.debugf("could not remove %s from %s: %s", name, target.describe(), e.getMessage());
        }
    }

    /** An upload on every store that takes one; fails only when none does. */
    private static List<Upload> open(List<Store> stores, String objectName, StopGuard stop) {
        List<Upload> uploads = new ArrayList<>();
        for (Store s : stores) {
            try {
                Store.Upload u = s.create(objectName);
                stop.opened(s.describe(), u);
                uploads.add(new Upload(s, u, new FanOutStream.Branch(s.describe(), u.stream()), null));
            } catch (IOException e) {
                uploads.add(new Upload(s, null, null, e.getMessage()));
            }
        }
        if (uploads.stream().allMatch(u -> u.openError() != null)) {
            throw FiresafeException.target("no target can be written: " + String.join("; ",
                    uploads.stream().map(Upload::openError).toList()), null);
        }
        return uploads;
    }

    /** Folders of local stores: a backup must not read its own output when a store sits inside a source. */
    private static Set<Path> localFolders(List<Store> stores) {
        Set<Path> roots = new HashSet<>();
        for (Store t : stores) {
            t.localFolder().ifPresent(folder -> {
                try {
                    roots.add(folder.toRealPath());
                } catch (IOException e) {
                    roots.add(folder);
                }
            });
        }
        return roots;
    }
}
