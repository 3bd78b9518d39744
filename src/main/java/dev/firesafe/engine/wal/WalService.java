package dev.firesafe.engine.wal;

import dev.firesafe.core.Failures;
import dev.firesafe.core.FiresafeConfig;
import dev.firesafe.core.FiresafeException;
import dev.firesafe.crypto.KeyRing;
import dev.firesafe.crypto.KeySource;
import dev.firesafe.repository.wal.WalArchive;
import dev.firesafe.repository.wal.WalListing;
import dev.firesafe.repository.wal.WalName;
import dev.firesafe.store.Store;
import dev.firesafe.store.StoreRegistry;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code wal-push} and {@code wal-fetch}: one WAL file to every target of a plan, or one back from a target with
 * the next segments of its timeline prefetched into a spool folder, so that restore_command calls that follow find
 * them there without a request (and, through the shell test {@code restore --postgres-pitr} writes, without
 * starting a JVM).
 */
public final class WalService {

    private static final Logger LOG = Logger.getLogger(WalService.class);
    /** Parallel downloads of a prefetch: two cores here, and each fetch waits on the target more than the CPU. */
    private static final int PREFETCH_THREADS = 4;

    private final FiresafeConfig config;
    private final KeySource keys;
    private final StoreRegistry stores;
    private final Clock clock;

    public WalService(FiresafeConfig config, KeySource keys, StoreRegistry stores, Clock clock) {
        this.config = config;
        this.keys = keys;
        this.stores = stores;
        this.clock = clock;
    }

    /** How one target took a pushed file: {@code pushed} on success, else {@code error}. */
    public record PushOutcome(String target, WalArchive.Pushed pushed, FiresafeException error) {
        public boolean ok() {
            return error == null;
        }
    }

    /**
     * Archives {@code file} as {@code name} on each target (one after the other, each independent of the others:
     * a target that fails does not stop the rest, and a retry by PostgreSQL finds the file on those that took it).
     * The key is looked up before any target is contacted, so a missing key fails at once.
     */
    public List<PushOutcome> push(String plan, List<String> targets, String name, Path file) {
        WalName.parse(name);
        if (!Files.isRegularFile(file)) {
            throw FiresafeException.source("no WAL file at " + file);
        }
        var sealer = keys.forBackup();
        var contentKey = keys.contentKey();
        var readers = keys.forReadingIfAny();
        List<PushOutcome> outcomes = new ArrayList<>();
        for (String uri : targets) {
            try (Store store = stores.open(uri)) {
                WalArchive archive = WalArchive.forPushing(store, plan, sealer, contentKey, readers,
                        config.compressionLevel(), clock);
                outcomes.add(new PushOutcome(store.describe(), archive.push(name, file), null));
            } catch (IOException | RuntimeException e) {
                outcomes.add(new PushOutcome(uri, null, Failures.classify(e, "cannot archive " + name + " to "
                        + uri)));
            }
        }
        return outcomes;
    }

    /** The spool folder of a plan when none is given: {@code firesafe.cache-dir}/wal-spool/PLAN. */
    public Path defaultSpool(String plan) {
        return Path.of(config.cacheDir(), "wal-spool", plan);
    }

    /**
     * Writes archived file {@code name} to {@code dest}. From {@code spool} if a prefetch left it there, else from
     * the target; then, for a segment, prefetches up to {@code prefetch} following segments of its timeline into
     * {@code spool} (failures there are only logged: a segment not prefetched is fetched when asked for). The
     * spool keeps no segment older than {@code name}.
     */
    public WalArchive.Fetched fetch(String plan, String target, String name, Path dest, Path spool, int prefetch) {
        WalName wal = WalName.parse(name);
        Path spooled = spool == null ? null : spool.resolve(wal.name());
        if (spooled != null && Files.isRegularFile(spooled)) {
            move(spooled, dest);
            return WalArchive.Fetched.FETCHED;
        }
        KeyRing ring = keys.forReading();
        try (Store store = stores.open(target)) {
            WalArchive archive = WalArchive.forReading(store, plan, ring);
            WalListing listing = archive.list();
            WalArchive.Fetched fetched;
            var item = listing.find(wal.name());
            if (item.isPresent()) {
                archive.fetch(item.get(), dest);
                fetched = WalArchive.Fetched.FETCHED;
            } else if (wal.kind() == WalName.Kind.SEGMENT && listing.newestPartial(wal.name()).isPresent()) {
                archive.fetch(listing.newestPartial(wal.name()).get(), dest);
                fetched = WalArchive.Fetched.PARTIAL;
            } else {
                return WalArchive.Fetched.ABSENT;
            }
            if (spool != null && prefetch > 0 && wal.kind() == WalName.Kind.SEGMENT) {
                prefetch(archive, listing, wal, spool, prefetch);
            }
            return fetched;
        } catch (IOException | RuntimeException e) {
            throw Failures.classify(e, "cannot fetch " + name + " from " + target);
        }
    }

    private void prefetch(WalArchive archive, WalListing listing, WalName asked, Path spool, int count)
            throws IOException {
        Files.createDirectories(spool, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(
                "rwx------")));
        try (var old = Files.list(spool)) {
            for (Path p : old.toList()) {
                String n = p.getFileName().toString();
                if (n.length() == 24 && n.compareTo(asked.name()) <= 0) {
                    Files.deleteIfExists(p); // replayed, or skipped by a timeline switch
                }
            }
        }
        List<WalListing.Item> next = listing.segments(asked.timeline()).stream()
                .filter(i -> i.name().name().compareTo(asked.name()) > 0).limit(count)
                .filter(i -> !Files.exists(spool.resolve(i.name().name()))).toList();
        if (next.isEmpty()) {
            return;
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(PREFETCH_THREADS, next.size()));
        try {
            List<Future<?>> running = new ArrayList<>();
            for (WalListing.Item i : next) {
                running.add(pool.submit(() -> {
                    archive.fetch(i, spool.resolve(i.name().name()));
                    return null;
                }));
            }
            for (Future<?> f : running) {
                try {
                    f.get();
                } catch (Exception e) {
                    LOG.debugf("prefetch into %s: %s", spool, e.getMessage());
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static void move(Path from, Path to) {
        try {
            try {
                Files.move(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw FiresafeException.destination("cannot move " + from + " to " + to + ": " + e.getMessage(), e);
        }
    }
}
