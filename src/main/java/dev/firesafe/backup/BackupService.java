package dev.firesafe.backup;

import dev.firesafe.ExitCode;
import dev.firesafe.FiresafeException;
import dev.firesafe.archive.ArchiveWriter;
import dev.firesafe.archive.FileNames;
import dev.firesafe.archive.Manifest;
import dev.firesafe.command.CommandJob;
import dev.firesafe.command.ExternalCommand;
import dev.firesafe.crypto.ArchiveCipher;
import dev.firesafe.crypto.JitWarmup;
import dev.firesafe.crypto.KeySource;
import dev.firesafe.crypto.EncryptionKey;
import dev.firesafe.io.ChunkPipe;
import dev.firesafe.io.Failures;
import dev.firesafe.io.Streams;
import dev.firesafe.plan.FiresafeConfig;
import dev.firesafe.plan.CommandSource;
import dev.firesafe.plan.Plan;
import dev.firesafe.plan.PostgresSource;
import dev.firesafe.postgres.PgClients;
import dev.firesafe.postgres.PostgresDumps;
import dev.firesafe.plan.SourceSpec;
import dev.firesafe.retention.PruneService;
import dev.firesafe.source.ReadAhead;
import dev.firesafe.source.SourceWalker;
import dev.firesafe.target.LocalTarget;
import dev.firesafe.target.SameDisk;
import dev.firesafe.target.Target;
import dev.firesafe.target.Targets;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.function.Consumer;

/**
 * The one backup pipeline every trigger and command calls:
 *
 * <pre>
 *   [this thread]  walk sources -> tar (+SHA-256 per file) -> zstd (its own worker threads) -> pipe
 *   [encrypt]      pipe -> streaming AEAD -> every target's upload
 * </pre>
 *
 * Stages overlap on separate cores and hand over bounded chunks, so memory does not grow with the backup and no
 * unencrypted byte touches the disk. Each target receives the upload under a temporary name and publishes it only
 * after the last byte is durable; any failure before that aborts it, so the previous backup stays the latest.
 * After a target has the new backup, the plan's retention runs there ({@link PruneService}).
 */
@ApplicationScoped
public class BackupService {

    private static final Logger LOG = Logger.getLogger(BackupService.class);
    static final int CHUNK = Streams.STAGE_BUFFER;
    static final int PIPE_DEPTH = 4;
    private static final int TAR_BUFFER = 256 * 1024;
    static final java.time.Duration HOOK_TIMEOUT = java.time.Duration.ofHours(1);

    private final FiresafeConfig config;
    private final KeySource keys;
    private final Clock clock;
    private final PruneService retention;
    private final Targets opener;
    private final Consumer<BackupFinished> announcer;
    /** The same-disk note last logged per plan ({@link #noteSameDisk}). */
    private final Map<String, String> sameDiskNoted = new java.util.concurrent.ConcurrentHashMap<>();

    @Inject
    public BackupService(FiresafeConfig config, KeySource keys, PruneService retention,
                         Event<BackupFinished> finished) {
        this(config, keys, retention, Clock.systemUTC(), finished::fire);
    }

    public BackupService(FiresafeConfig config, KeySource keys) {
        this(config, keys, finished -> { });
    }

    /** Without CDI (the one-shot CLI, {@code dev.firesafe.cli.LeanLaunch}): {@code announcer} hears every end. */
    public BackupService(FiresafeConfig config, KeySource keys, Consumer<BackupFinished> announcer) {
        this(config, keys, new PruneService(), Clock.systemUTC(), announcer);
    }

    public BackupService(FiresafeConfig config, KeySource keys, PruneService retention, Clock clock) {
        this(config, keys, retention, clock, finished -> { });
    }

    private BackupService(FiresafeConfig config, KeySource keys, PruneService retention, Clock clock,
                          Consumer<BackupFinished> announcer) {
        this.config = config;
        this.keys = keys;
        this.retention = retention;
        this.clock = clock;
        this.opener = new Targets(config).withOwnNames(BackupCatalog::isBackupName);
        this.announcer = announcer;
    }

    /**
     * Runs {@code plan} once: its {@code before} hooks, the backup, then its {@code after} hooks, which run also
     * when the backup failed. Throws on a failure of hooks, sources, key or every target; reports partial failures.
     * Either way a {@link BackupFinished} event tells observers (metrics, health, notifications) how it went.
     */
    public BackupResult run(Plan plan, Progress progress) {
        Instant started = clock.instant();
        try {
            BackupResult result = runWithHooks(plan, progress);
            if (result.targets().stream().anyMatch(BackupResult.TargetResult::ok)) { // every trigger, every time
                // the targets it wrote to: a plan without targets of its own uses the default one
                noteSameDisk(plan.name(), SameDisk.note(plan.sources().stream().map(SourceSpec::path).toList(),
                        result.targets().stream().map(BackupResult.TargetResult::target).toList()));
            }
            announce(new BackupFinished(plan.name(), result, result.problem(), result.exitCode(), started,
                    java.time.Duration.between(started, clock.instant()),
                    result.targets().stream().map(BackupResult.TargetResult::target).toList()));
            return result;
        } catch (FiresafeException e) {
            announce(new BackupFinished(plan.name(), null, e.getMessage(), e.exitCode(), started,
                    java.time.Duration.between(started, clock.instant()), targetNames(plan)));
            throw e;
        } catch (RuntimeException e) {
            announce(new BackupFinished(plan.name(), null, "internal error: " + e.getClass().getSimpleName(),
                    ExitCode.FAILURE, started, java.time.Duration.between(started, clock.instant()),
                    targetNames(plan)));
            throw e;
        }
    }

    /**
     * Logs the same-disk note of {@code plan} once per process, and again only when it changes (another target, a
     * disk unmounted and mounted again): a timer every minute repeated it every minute (issue #19).
     */
    private void noteSameDisk(String plan, java.util.Optional<String> note) {
        if (note.isEmpty()) {
            sameDiskNoted.remove(plan); // should it come back (a backup disk unmounted), it is news again
            return;
        }
        if (!note.get().equals(sameDiskNoted.put(plan, note.get()))) {
            LOG.warnf("plan %s: %s", plan, note.get());
        }
    }

    /** Observers must never turn a finished backup into a failed one: their failures are logged only. */
    private void announce(BackupFinished finished) {
        try {
            announcer.accept(finished);
        } catch (RuntimeException e) {
            LOG.warnf("an observer of the finished backup of plan %s failed: %s", finished.plan(), e);
        }
    }

    /** The plan's targets as results name them, for a run that failed before it had any per-target result. */
    private List<String> targetNames(Plan plan) {
        List<String> uris = plan.targetsOrDefault(config.defaultTarget());
        List<String> names = new ArrayList<>();
        for (String uri : uris) {
            try {
                names.add(opener.open(uri).describe());
            } catch (RuntimeException e) {
                names.add(uri);
            }
        }
        return names;
    }

    private BackupResult runWithHooks(Plan plan, Progress progress) {
        if (plan.isEmpty()) {
            throw FiresafeException.usage("plan '" + plan.name() + "' has no sources");
        }
        try (StopGuard stop = StopGuard.guard(plan.name());
             AfterHooks after = AfterHooks.guard(plan.name(), plan.hooks().after().size(),
                status -> runAfterHooks(plan, status, failure -> LOG.errorf("%s", failure.getMessage())),
                HOOK_TIMEOUT)) {
            BackupResult result;
            try {
                for (String hook : plan.hooks().before()) {
                    runHook("before hook `" + hook + "`", hook, "running");
                }
                result = backup(plan, progress, stop);
            } catch (RuntimeException | Error e) {
                if (after.claim()) {
                    runAfterHooks(plan, "failed", failure -> {
                        e.addSuppressed(failure);
                        LOG.errorf("%s", failure.getMessage());
                    });
                }
                throw e;
            }
            List<Manifest.Warning> warnings = new ArrayList<>(result.warnings());
            if (after.claim()) {
                // the backup is committed by now; a hook's failure is reported, not allowed to undo it
                runAfterHooks(plan, switch (result.exitCode()) {
                    case OK -> "ok";
                    case INCOMPLETE -> "incomplete";
                    default -> "failed";
                }, failure -> warnings.add(new Manifest.Warning("after hook", failure.getMessage())));
            }
            return new BackupResult(result.id(), result.plan(), result.bytesIn(), result.bytesOut(), result.files(),
                    result.durationMs(), result.compression(), result.targets(), warnings);
        }
    }

    /** Runs every after hook of {@code plan}, each even when one before it failed. */
    private static void runAfterHooks(Plan plan, String status, Consumer<RuntimeException> failed) {
        for (String hook : plan.hooks().after()) {
            try {
                runHook("after hook `" + hook + "`", hook, status);
            } catch (RuntimeException failure) {
                failed.accept(failure);
            }
        }
    }

    /**
     * Hooks are the operator's own shell lines from the plan, so their text may be shown; their output is not
     * kept. FIRESAFE_BACKUP_STATUS tells an after hook how the backup went (ok / failed).
     */
    private static void runHook(String label, String command, String status) {
        try {
            ExternalCommand.shell(label, command, Map.of("FIRESAFE_BACKUP_STATUS", status, "FIRESAFE_HOOK", label),
                    HOOK_TIMEOUT).run(in -> in.transferTo(OutputStream.nullOutputStream()));
        } catch (IOException e) {
            throw FiresafeException.source(label + " failed: " + e.getMessage());
        }
    }

    private BackupResult backup(Plan plan, Progress progress, StopGuard stop) {
        List<Path> roots = plan.sources().stream().map(SourceWalker::checkReadable).toList();
        List<CommandJob> jobs = commandJobs(plan, labels(roots));
        EncryptionKey key = keys.forBackup();
        List<String> targetUris = plan.targetsOrDefault(config.defaultTarget());
        List<Target> targets = targetUris.stream().map(opener::open).toList();

        JitWarmup.encryption(); // in the background; never waited for, so small backups pay nothing
        Instant started = clock.instant();
        String id = BackupId.next(started);
        String objectName = BackupCatalog.objectName(plan.name(), id);
        ArchiveCipher.Sealing sealing = key.seal(id, plan.name(), started.toString(), plan.compression().id);
        stop.backupId(id);

        List<Target.Upload> uploads = new ArrayList<>();
        List<FanOutStream.Branch> branches = new ArrayList<>();
        Map<Target, String> openErrors = new HashMap<>();
        for (Target t : targets) {
            try {
                Target.Upload u = t.create(objectName);
                uploads.add(u);
                stop.opened(t.describe(), u);
                branches.add(new FanOutStream.Branch(t.describe(), u.stream()));
            } catch (IOException e) {
                openErrors.put(t, e.getMessage());
                uploads.add(null);
                branches.add(null);
            }
        }
        if (openErrors.size() == targets.size()) {
            throw FiresafeException.target("no target can be written: " + String.join("; ",
                    openErrors.values()), null);
        }
        List<FanOutStream.Branch> live = branches.stream().filter(b -> b != null).toList();
        FanOutStream fanOut = new FanOutStream(live);
        Manifest manifest = newManifest(plan, id, started, roots);
        jobs.forEach(j -> manifest.sources.add(new Manifest.SourceRoot(j.entryName(), j.command().label())));
        try {
            archiveAndEncrypt(plan, roots, jobs, targets, sealing, fanOut, manifest, progress);
        } catch (RuntimeException | IOException | Error e) {
            uploads.stream().filter(u -> u != null).forEach(Target.Upload::abort);
            if (stop.stopped()) {
                throw stop.stoppedFailure(); // its writes failed because the stop aborted the uploads
            }
            throw Failures.classify(e, "backup of plan '" + plan.name() + "' failed");
        }
        if (!stop.beginCommits()) {
            uploads.stream().filter(u -> u != null).forEach(Target.Upload::abort);
            throw stop.stoppedFailure();
        }

        // Every commit first, then retention: a stop waits for the commits, which are short, not for pruning.
        long missing = manifest.warnings.stream().filter(Manifest.Warning::missing).count();
        List<String> errors = new ArrayList<>();
        try {
            for (int i = 0; i < targets.size(); i++) {
                Target t = targets.get(i);
                Target.Upload u = uploads.get(i);
                FanOutStream.Branch b = branches.get(i);
                String error = u == null ? openErrors.get(t) : b.error;
                if (error == null) {
                    // the mark first: a backup is never listed without it, though a mark may outlive a failed commit
                    boolean marked = missing > 0 && markIncomplete(t, plan.name(), id, missing);
                    try {
                        u.commit();
                    } catch (IOException e) {
                        error = e.getMessage();
                        if (marked) {
                            deleteQuietly(t, BackupCatalog.incompleteMarker(plan.name(), id));
                        }
                    }
                } else if (u != null) {
                    u.abort();
                }
                errors.add(error);
            }
        } finally {
            stop.commitsEnded();
        }

        List<BackupResult.TargetResult> results = new ArrayList<>();
        for (int i = 0; i < targets.size(); i++) {
            Target t = targets.get(i);
            String error = errors.get(i);
            if (error != null) {
                LOG.errorf("backup %s of plan %s FAILED on target %s: %s", id, plan.name(), t.describe(), error);
            }
            // Retention only after a complete backup: an incomplete one (entries it could not read) must never
            // make room by deleting complete ones, however often it repeats.
            boolean complete = missing == 0;
            PruneService.Report pruned = error == null && complete ? retention.prune(t, plan, false, id) : null;
            if (pruned != null && !pruned.ok()) {
                LOG.warnf("retention on %s after backup %s: %s", t.describe(), id, pruned.error());
            }
            results.add(new BackupResult.TargetResult(t.describe(), objectName, error == null, error,
                    pruned == null ? List.of() : pruned.removed(), pruned == null ? null : pruned.error()));
        }
        long duration = clock.millis() - started.toEpochMilli();
        return new BackupResult(id, plan.name(), manifest.bytes, fanOut.written(), manifest.files, duration,
                plan.compression().id, results, manifest.warnings);
    }

    /**
     * Stores {@link BackupCatalog#incompleteMarker} on {@code target}; a failure only costs the mark in
     * {@code list} (verify reads the manifest itself), so it is a warning.
     */
    private static boolean markIncomplete(Target target, String plan, String id, long missing) {
        try {
            Target.Upload mark = target.create(BackupCatalog.incompleteMarker(plan, id));
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

    private static void deleteQuietly(Target target, String name) {
        try {
            target.delete(name);
        } catch (IOException | RuntimeException e) {
            LOG.debugf("could not remove %s from %s: %s", name, target.describe(), e.getMessage());
        }
    }

    /**
     * The command and database sources as streamed entries. Database servers are asked their version and a
     * matching dump client is chosen here, before any upload starts. Entry names may not collide with each other
     * or with a folder source's top-level name.
     */
    private List<CommandJob> commandJobs(Plan plan, List<String> pathLabels) {
        List<CommandJob> jobs = new ArrayList<>();
        for (CommandSource c : plan.commands()) {
            jobs.add(new CommandJob(c.name(), ExternalCommand.shell("command source '" + c.name() + "'", c.command(),
                    c.env(), c.timeout())));
        }
        PgClients clients = new PgClients(config.postgres().clientPaths());
        for (PostgresSource pg : plan.postgres()) {
            try {
                jobs.addAll(PostgresDumps.prepare(pg, clients));
            } catch (IOException e) {
                throw FiresafeException.source("cannot reach PostgreSQL server " + pg.host() + ":" + pg.port() + ": "
                        + e.getMessage());
            }
        }
        Set<String> names = new HashSet<>();
        for (CommandJob job : jobs) {
            String name = job.entryName();
            String top = name.contains("/") ? name.substring(0, name.indexOf('/')) : name;
            if (pathLabels.contains(top) || !names.add(name)) {
                throw FiresafeException.usage("plan '" + plan.name() + "': source name '" + name
                        + "' is used twice (another command, database or folder source)");
            }
        }
        for (String name : names) {
            for (String other : names) {
                if (other.startsWith(name + "/")) {
                    throw FiresafeException.usage("plan '" + plan.name() + "': source name '" + name
                            + "' is a folder of another source name, '" + other + "'");
                }
            }
        }
        return jobs;
    }

    private void archiveAndEncrypt(Plan plan, List<Path> roots, List<CommandJob> jobs, List<Target> targets,
                                   ArchiveCipher.Sealing sealing, FanOutStream fanOut, Manifest manifest, Progress progress)
            throws IOException {
        ChunkPipe pipe = new ChunkPipe(CHUNK, PIPE_DEPTH);
        FutureTask<Void> encrypt = new FutureTask<>(() -> {
            try (InputStream in = pipe.source(); OutputStream out = ArchiveCipher.encrypt(fanOut, sealing)) {
                in.transferTo(out);
            }
            return null;
        });
        Thread encryptThread = new Thread(encrypt, "firesafe-encrypt");
        encryptThread.setDaemon(true);
        encryptThread.start();
        try {
            OutputStream compressed = plan.compression().compress(pipe.sink(), config.compressionLevel(),
                    config.compressionWorkers());
            try (ArchiveWriter writer = new ArchiveWriter(new BufferedOutputStream(compressed, TAR_BUFFER), manifest,
                    progress::bytesDone)) {
                Set<Path> skipRoots = localTargetRoots(targets);
                List<String> labels = labels(roots);
                try (ReadAhead reading = ReadAhead.start(sink -> {
                    SourceWalker walker = new SourceWalker(sink, skipRoots);
                    for (int i = 0; i < roots.size(); i++) {
                        SourceSpec spec = plan.sources().get(i);
                        walker.walk(new SourceSpec(roots.get(i), spec.include(), spec.exclude()), labels.get(i));
                    }
                })) {
                    reading.drainInto(writer);
                }
                for (CommandJob job : jobs) {
                    // dumps hold secrets (password hashes, tokens): owner-only once restored
                    job.command().run(in -> writer.stream(job.entryName(), in, 0600, clock.instant()));
                }
                writer.finish(clock.instant());
            }
        } catch (IOException | RuntimeException | Error e) {
            pipe.fail(e);
            Throwable encryptFailure = failureOf(encrypt);
            if (e instanceof ChunkPipe.ReaderGoneException && encryptFailure != null) {
                throw new IOException("encrypting or writing failed", encryptFailure);
            }
            throw e;
        }
        try {
            encrypt.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while finishing encryption");
        } catch (ExecutionException e) {
            throw Failures.unwrap(e);
        }
    }

    /** Waits for {@code task} and returns what it failed with, or null. */
    private static Throwable failureOf(FutureTask<Void> task) {
        try {
            task.get();
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return e;
        } catch (ExecutionException e) {
            return e.getCause();
        }
    }

    private Manifest newManifest(Plan plan, String id, Instant started, List<Path> roots) {
        Manifest m = new Manifest();
        m.backupId = id;
        m.plan = plan.name();
        m.host = dev.firesafe.io.HostName.current();
        m.started = started.toString();
        m.compression = plan.compression().id;
        m.firesafeVersion = Version.current();
        List<String> labels = labels(roots);
        for (int i = 0; i < roots.size(); i++) {
            m.sources.add(new Manifest.SourceRoot(labels.get(i), FileNames.text(roots.get(i)).text()));
        }
        return m;
    }

    /**
     * Top-level archive folder per source: its own name, made unique ("data", "data-2") when names repeat. Spelled
     * as UTF-8 text like every name below it ({@link FileNames}), never in the JVM's locale.
     */
    static List<String> labels(List<Path> roots) {
        Set<String> used = new HashSet<>();
        List<String> labels = new ArrayList<>();
        for (Path root : roots) {
            Path name = root.getFileName();
            String base = name == null ? "root" : FileNames.text(name).text();
            if (base.startsWith(".firesafe")) {
                base = "_" + base;
            }
            String label = base;
            for (int n = 2; !used.add(label); n++) {
                label = base + "-" + n;
            }
            labels.add(label);
        }
        return labels;
    }

    private static Set<Path> localTargetRoots(List<Target> targets) {
        Set<Path> roots = new HashSet<>();
        for (Target t : targets) {
            if (t instanceof LocalTarget local) {
                try {
                    roots.add(local.root().toRealPath());
                } catch (IOException e) {
                    roots.add(local.root());
                }
            }
        }
        return roots;
    }

}
