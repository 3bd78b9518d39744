package dev.firesafe.engine.backup;

import dev.firesafe.core.Progress;
import dev.firesafe.repository.BackupId;
import dev.firesafe.core.ExitCode;
import dev.firesafe.core.FiresafeException;
import dev.firesafe.archive.FileNames;
import dev.firesafe.archive.Manifest;
import dev.firesafe.command.CommandJob;
import dev.firesafe.command.ExternalCommand;
import dev.firesafe.crypto.KeySource;
import dev.firesafe.crypto.EncryptionKey;
import dev.firesafe.crypto.KeyRing;
import dev.firesafe.crypto.MasterKey;
import dev.firesafe.core.FiresafeConfig;
import dev.firesafe.plan.CommandSource;
import dev.firesafe.plan.Plan;
import dev.firesafe.plan.PostgresSource;
import dev.firesafe.postgres.PgClients;
import dev.firesafe.postgres.PostgresDumps;
import dev.firesafe.postgres.BaseBackups;
import dev.firesafe.plan.SourceSpec;
import dev.firesafe.engine.retention.PruneService;
import dev.firesafe.source.SourceWalker;
import dev.firesafe.store.SameDisk;
import dev.firesafe.store.Store;
import dev.firesafe.store.StoreRegistry;
import dev.firesafe.postgres.PostgresConfig;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The one backup every trigger and command calls. It owns what surrounds a run: the plan's {@code before} and
 * {@code after} hooks (after also on failure or stop), the sources prepared (folders checked, commands and database
 * dumps set up, their entry names checked for collisions), the stores opened once for the run and closed at its
 * end, and the announcement of how it ended to the observers. The run itself, pipeline, commit per store and
 * retention, is {@link BackupRun}'s.
 */
public class BackupService {

    private static final Logger LOG = Logger.getLogger(BackupService.class);
    static final java.time.Duration HOOK_TIMEOUT = java.time.Duration.ofHours(1);

    private final FiresafeConfig config;
    private final PostgresConfig postgres;
    private final KeySource keys;
    private final StoreRegistry stores;
    private final PruneService retention;
    private final Clock clock;
    private final Consumer<BackupFinished> announcer;
    /** The same-disk note last logged per plan ({@link #noteSameDisk}). */
    private final Map<String, String> sameDiskNoted = new java.util.concurrent.ConcurrentHashMap<>();

    /** Built by {@code app.Services}; {@code announcer} hears every end, failed or not. */
    public BackupService(FiresafeConfig config, PostgresConfig postgres, KeySource keys, StoreRegistry stores,
                         PruneService retention, Clock clock, Consumer<BackupFinished> announcer) {
        this.config = config;
        this.postgres = postgres;
        this.keys = keys;
        this.stores = stores;
        this.retention = retention;
        this.clock = clock;
        this.announcer = announcer;
    }

    /**
     * Runs {@code plan} once: its {@code before} hooks, the backup, then its {@code after} hooks, which run also
     * when the backup failed. Throws on a failure of hooks, sources, key or every target; reports partial failures.
     * Either way a {@link BackupFinished} event tells observers (metrics, health, notifications) how it went.
     */
    public BackupResult run(Plan plan, Progress progress) {
        return run(plan, progress, false);
    }

    /**
     * The same, {@code full}: a self-contained backup that references nothing an earlier one stored (a bare
     * runbook restores it from this one object alone); else incremental, storing only what the stores lack.
     */
    public BackupResult run(Plan plan, Progress progress, boolean full) {
        Instant started = clock.instant();
        try {
            BackupResult result = runWithHooks(plan, progress, full);
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
                names.add(stores.describe(uri));
            } catch (RuntimeException e) {
                names.add(uri);
            }
        }
        return names;
    }

    private BackupResult runWithHooks(Plan plan, Progress progress, boolean full) {
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
                result = backup(plan, progress, full, stop);
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
            return result.withWarnings(warnings);
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

    private BackupResult backup(Plan plan, Progress progress, boolean full, StopGuard stop) {
        List<Path> roots = plan.sources().stream().map(SourceWalker::checkReadable).toList();
        List<String> labels = labels(roots);
        Instant started = clock.instant();
        String id = BackupId.next(started);
        List<BaseBackupHistory> histories = baseBackupHistories(plan);
        List<CommandJob> jobs = commandJobs(plan, labels, id);
        EncryptionKey key = keys.forBackup();
        BackupRun.Keys runKeys = new BackupRun.Keys(key, keys.contentKey(), readingKeys(key));
        List<Store> targets = new ArrayList<>();
        try {
            for (String uri : plan.targetsOrDefault(config.defaultTarget())) {
                targets.add(stores.open(uri));
            }
            BackupResult result = new BackupRun(config, retention, clock).run(plan, progress, roots, labels, jobs,
                    runKeys, targets, full, stop, started, id);
            if (!histories.isEmpty()) {
                List<Store> committed = targets.stream().filter(t -> result.targets().stream()
                        .anyMatch(r -> r.ok() && r.target().equals(t.describe()))).toList();
                PgClients clients = new PgClients(postgres.clientPaths());
                histories.forEach(h -> h.publish(plan.name(), result.id(), committed, key, keys.contentKey(),
                        readingKeys(key), config.compressionLevel(), clients, clock));
            }
            return result;
        } finally {
            targets.forEach(Store::close);
        }
    }

    /**
     * The keys that read earlier backups, to find what they stored: the master key. A write-only host has none by
     * design (it must never decrypt), so its backups learn nothing from the stores (a local cache tells it).
     */
    private KeyRing readingKeys(EncryptionKey key) {
        return key instanceof MasterKey master ? KeyRing.of(master) : null;
    }

    /**
     * For each base backup source whose server does not archive WAL itself (its WAL is streamed): its WAL position
     * before the backup, for the backup history file written after it ({@link BaseBackupHistory}).
     */
    private List<BaseBackupHistory> baseBackupHistories(Plan plan) {
        List<BaseBackupHistory> out = new ArrayList<>();
        PgClients clients = new PgClients(postgres.clientPaths());
        for (PostgresSource pg : plan.postgres()) {
            if (pg.base()) {
                try {
                    BaseBackupHistory.begin(pg, clients).ifPresent(out::add);
                } catch (IOException e) {
                    throw FiresafeException.source("cannot reach PostgreSQL server " + pg.host() + ":" + pg.port()
                            + ": " + e.getMessage());
                }
            }
        }
        return out;
    }

    /**
     * The command and database sources as streamed entries. Database servers are asked their version and a
     * matching dump client is chosen here, before any upload starts. Entry names may not collide with each other
     * or with a folder source's top-level name.
     */
    private List<CommandJob> commandJobs(Plan plan, List<String> pathLabels, String backupId) {
        List<CommandJob> jobs = new ArrayList<>();
        for (CommandSource c : plan.commands()) {
            jobs.add(new CommandJob(c.name(), ExternalCommand.shell("command source '" + c.name() + "'", c.command(),
                    c.env(), c.timeout())));
        }
        PgClients clients = new PgClients(postgres.clientPaths());
        for (PostgresSource pg : plan.postgres()) {
            try {
                jobs.addAll(pg.base() ? List.of(BaseBackups.prepare(pg, clients, BaseBackups.label(backupId)))
                        : PostgresDumps.prepare(pg, clients));
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


}
