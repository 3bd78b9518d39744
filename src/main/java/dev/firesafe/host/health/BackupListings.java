package dev.firesafe.host.health;

import dev.firesafe.repository.BackupCatalog;
import dev.firesafe.engine.backup.BackupFinished;
import dev.firesafe.repository.BackupId;
import dev.firesafe.core.IoMessages;
import dev.firesafe.store.Store;
import dev.firesafe.store.StoreRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The newest backup of a plan on a target, as health checks and metrics ask for it: listed with a timeout (an
 * unreachable target must not hang a probe) and reused for {@code firesafe.health.cache-ttl}, so frequent probes
 * and scrapes cost one listing per interval. A listing that outlives its timeout is joined by later probes,
 * never started again beside itself. A finished backup of a plan drops its entries, so the next probe sees the
 * new backup at once.
 */
@ApplicationScoped
public class BackupListings {

    /** What a listing found: the newest backup (null when none) or why the target could not be listed. */
    public record Newest(String target, BackupCatalog.Ref ref, Instant time, String error, Instant listedAt) {
        public boolean reachable() {
            return error == null;
        }
    }

    private record Key(String targetUri, String plan) {
    }

    private final Map<Key, Newest> cache = new ConcurrentHashMap<>();
    private final Map<Key, CompletableFuture<Newest>> inFlight = new ConcurrentHashMap<>();
    private final ExecutorService listers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "firesafe-health-list");
        t.setDaemon(true); // a target that never answers must not keep the process alive
        return t;
    });
    private final StoreRegistry targets;
    private final HealthConfig config;
    private final Clock clock = Clock.systemUTC();

    @Inject
    public BackupListings(StoreRegistry stores, HealthConfig config) {
        this.targets = stores;
        this.config = config;
    }

    public Newest newest(String targetUri, String plan) {
        Key key = new Key(targetUri, plan);
        Newest cached = cache.get(key);
        if (cached != null && cached.listedAt().plus(config.cacheTtl()).isAfter(clock.instant())) {
            return cached;
        }
        Newest fresh = list(key);
        cache.put(key, fresh);
        return fresh;
    }

    private Newest list(Key key) {
        Instant now = clock.instant();
        String name = key.targetUri();
        // a listing still going (past its timeout) is joined, not started again: one that never returns (a hard
        // NFS mount of a dead NAS) would otherwise take a new thread per probe, until the process has none left
        CompletableFuture<Newest> listing = inFlight.compute(key, (k, going) -> going != null && !going.isDone()
                ? going : CompletableFuture.supplyAsync(() -> listNow(k), listers));
        try {
            return listing.get(config.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return new Newest(name, null, null, "no answer within " + config.timeout().toSeconds() + " s", now);
        } catch (ExecutionException e) {
            return new Newest(name, null, null, String.valueOf(e.getCause().getMessage()), now);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Newest(name, null, null, "interrupted", now);
        }
    }

    private Newest listNow(Key key) {
        Instant now = clock.instant();
        try (Store target = targets.open(key.targetUri())) {
            List<BackupCatalog.Ref> all = BackupCatalog.list(target, key.plan());
            BackupCatalog.Ref ref = all.isEmpty() ? null : all.get(all.size() - 1);
            return new Newest(target.describe(), ref, ref == null ? null : BackupId.time(ref.id()), null, now);
        } catch (IOException e) {
            return new Newest(targets.describe(key.targetUri()), null, null, IoMessages.describe(e), now);
        }
    }

    void backupFinished(@Observes BackupFinished finished) {
        cache.keySet().removeIf(k -> k.plan().equals(finished.plan()));
        inFlight.keySet().removeIf(k -> k.plan().equals(finished.plan())); // begun before it: may miss it
    }
}
