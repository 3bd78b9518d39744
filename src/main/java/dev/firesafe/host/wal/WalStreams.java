package dev.firesafe.host.wal;

import dev.firesafe.core.Durations;
import dev.firesafe.engine.walstream.StreamStatus;
import dev.firesafe.engine.walstream.WalStream;
import dev.firesafe.host.functions.FunctionCatalog;
import dev.firesafe.host.notify.Notifier;
import dev.firesafe.host.trigger.FunctionHost;
import dev.firesafe.host.trigger.TriggerConfig;
import dev.firesafe.plan.FunctionDefinition;
import dev.firesafe.plan.WalSpec;
import dev.firesafe.postgres.PgClients;
import dev.firesafe.postgres.PostgresConfig;
import dev.firesafe.postgres.WalReceiver;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The WAL side of {@code serve}: once the function host has loaded its functions, a {@link WalStream} for each
 * function whose file has a {@code wal:} section in {@code stream} mode; every {@code firesafe.wal.check-every} a
 * look at each such function's server (replication slots; {@code pg_stat_archiver} in {@code archive-command}
 * mode); every second a judgement of each function's archive lag against its {@code rpo}, calling the webhook
 * when it goes over ({@code wal.lag}) and when it is back under ({@code wal.lag.recovered}). Streams stop (and
 * ship what their receiver wrote) when the host stops.
 */
@ApplicationScoped
public class WalStreams {

    private static final Logger LOG = Logger.getLogger(WalStreams.class);

    /** One function's archive lag, from its stream or from its server's archiver. */
    public record Lag(String function, WalSpec spec, Duration lag, long waitingSegments, Instant lastArchivedAt,
                      String detail) {
        public boolean overRpo() {
            return lag.compareTo(spec.rpo()) > 0;
        }
    }

    private final FunctionCatalog catalog;
    private final FunctionHost host;
    private final ArchiveShippings shippings;
    private final PgClients clients;
    private final WalConfig config;
    private final Notifier notifier;
    private final boolean serve;
    private final Clock clock = Clock.systemUTC();
    private final Map<String, WalStream> streams = new ConcurrentHashMap<>();
    private final Map<String, ServerWatch> watches = new ConcurrentHashMap<>();
    private final Set<String> alerting = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "firesafe-wal-watch");
        t.setDaemon(true);
        return t;
    });
    private final ExecutorService alerts = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "firesafe-wal-alert");
        t.setDaemon(true);
        return t;
    });

    @Inject
    public WalStreams(FunctionCatalog catalog, FunctionHost host, ArchiveShippings shippings,
                      PostgresConfig postgres, WalConfig config, Notifier notifier, TriggerConfig triggers) {
        this.catalog = catalog;
        this.host = host;
        this.shippings = shippings;
        this.clients = new PgClients(postgres.clientPaths());
        this.config = config;
        this.notifier = notifier;
        this.serve = triggers.mode().equals("serve");
    }

    void onStart(@Observes StartupEvent event) {
        if (!serve) {
            return;
        }
        host.started().thenRun(this::startAll);
    }

    private void startAll() {
        for (FunctionDefinition f : walFunctions()) {
            WalSpec spec = f.wal().orElseThrow();
            if (spec.streams()) {
                Path spool = spec.spool() != null ? spec.spool() : Path.of(config.spoolDir()).resolve(f.name());
                WalStream.Settings d = WalStream.Settings.DEFAULTS;
                WalStream stream = new WalStream(f.name(), spec, spool, clients, shippings.open(f.plan()),
                        new WalStream.Settings(d.tick(), config.restartBackoff(), d.maxRestart(), d.healthyRun(),
                                d.firstShipRetry(), d.maxShipRetry(), d.backupHistoryEvery()), clock);
                try {
                    stream.start();
                    streams.put(f.name(), stream);
                } catch (java.io.IOException e) {
                    LOG.errorf("function %s: cannot start WAL streaming into %s: %s", f.name(), spool,
                            e.getMessage());
                }
            } else {
                LOG.infof("function %s: %s", f.name(), spec.describe());
            }
        }
        timer.scheduleWithFixedDelay(this::watchServers, 0, config.checkEvery().toMillis(), TimeUnit.MILLISECONDS);
        timer.scheduleWithFixedDelay(this::judgeLags, 1, 1, TimeUnit.SECONDS);
    }

    void onStop(@Observes ShutdownEvent event) {
        timer.shutdownNow();
        streams.values().parallelStream().forEach(WalStream::close);
        alerts.shutdown();
    }

    /** The loaded functions that archive WAL, in either mode. */
    public List<FunctionDefinition> walFunctions() {
        return catalog.loadedOrNone().stream().filter(f -> f.wal().isPresent()).toList();
    }

    public Optional<StreamStatus> stream(String function) {
        return Optional.ofNullable(streams.get(function)).map(WalStream::status);
    }

    public ServerWatch watch(String function) {
        return watches.getOrDefault(function, ServerWatch.NONE);
    }

    /** The slots the streaming functions of this host use. */
    Set<String> slotsInUse() {
        return walFunctions().stream().map(f -> f.wal().orElseThrow()).filter(WalSpec::streams)
                .map(WalSpec::slot).collect(Collectors.toSet());
    }

    /** The archive lag of {@code function}: from its stream, or from its server's archiver. */
    public Lag lag(FunctionDefinition f) {
        WalSpec spec = f.wal().orElseThrow();
        if (spec.streams()) {
            StreamStatus s = stream(f.name()).orElse(null);
            if (s == null) {
                return new Lag(f.name(), spec, Duration.ZERO, 0, null, "not streaming");
            }
            return new Lag(f.name(), spec, s.lag(), s.waitingSegments(), s.lastArchivedAt(), s.state()
                    + (s.startError() == null ? "" : ": " + s.startError())
                    + (s.lastShipError() == null ? "" : "; last push failed: " + s.lastShipError()));
        }
        ServerWatch w = watch(f.name());
        WalReceiver.Archiver a = w.archiver();
        if (a == null) {
            return new Lag(f.name(), spec, Duration.ZERO, 0, null, w.error() == null ? "not asked yet" : w.error());
        }
        // the oldest segment waiting became ready to archive when its .ready file was made
        Duration lag = a.readySegments() == 0 || a.oldestReady() == null ? Duration.ZERO
                : Duration.between(a.oldestReady(), clock.instant());
        return new Lag(f.name(), spec, lag.isNegative() ? Duration.ZERO : lag, a.readySegments(),
                a.lastArchivedTime(), a.failing() ? "archive_command failing since " + a.lastFailedTime() + " ("
                + a.failedCount() + " failures, last on " + a.lastFailedWal() + "); pg_wal holds " + (a.walBytes()
                >> 20) + " MiB" : "archive_command succeeding");
    }

    private void watchServers() {
        for (FunctionDefinition f : walFunctions()) {
            WalSpec spec = f.wal().orElseThrow();
            WalReceiver receiver = new WalReceiver(spec, clients);
            try {
                watches.put(f.name(), new ServerWatch(clock.instant(), receiver.slots(),
                        spec.streams() ? null : receiver.archiver(), null));
            } catch (java.io.IOException | RuntimeException e) {
                watches.put(f.name(), new ServerWatch(clock.instant(), List.of(), null, e.getMessage()));
            }
        }
    }

    private void judgeLags() {
        try {
            for (FunctionDefinition f : walFunctions()) {
                Lag lag = lag(f);
                if (lag.overRpo() && alerting.add(f.name())) {
                    String message = "archive lag " + Durations.format(lag.lag()) + " exceeds rpo "
                            + Durations.format(lag.spec().rpo()) + " (" + lag.waitingSegments()
                            + " segment(s) waiting; " + lag.detail() + ")";
                    LOG.errorf("function %s: %s", f.name(), message);
                    alerts.execute(() -> notifier.walLag(f.name(), false, message, lag.lag()));
                } else if (!lag.overRpo() && alerting.remove(f.name())) {
                    String message = "archive lag back under rpo " + Durations.format(lag.spec().rpo());
                    LOG.infof("function %s: %s", f.name(), message);
                    alerts.execute(() -> notifier.walLag(f.name(), true, message, lag.lag()));
                }
            }
        } catch (RuntimeException e) {
            LOG.warnf("judging WAL archive lag failed: %s", e.getMessage());
        }
    }
}
