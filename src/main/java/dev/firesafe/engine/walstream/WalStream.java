package dev.firesafe.engine.walstream;

import dev.firesafe.core.FiresafeException;
import dev.firesafe.plan.WalSpec;
import dev.firesafe.postgres.PgClients;
import dev.firesafe.postgres.WalReceiver;
import org.jboss.logging.Logger;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One function's WAL stream: {@code pg_receivewal} as a child process writing into the spool, and a shipper
 * pushing what it writes to the archive. No JVM starts per segment; the RPO is the partial timer plus one upload.
 *
 * <p>The receiver: before each start the slot is created if missing, then the server's version picks the client.
 * The slot comes first so that a start that fails (no client of the server's major version, say) still has the
 * server keep every WAL segment from then on: once the right client is installed the next attempt streams from the
 * slot, with no gap. Such a failed start is not a restart (no child ran): the state is {@code cannot start}, its
 * reason is in {@link StreamStatus#startError()} and it is tried again on the same backoff.
 * It runs with {@code --no-loop}, so a lost connection ends it and this class restarts it after an exponential
 * backoff (reset once a run lasted {@link Settings#healthyRun()}), counting restarts for health and metrics. Its
 * pid is kept in the spool ({@code receiver.pid}): a receiver left running by a {@code serve} that was killed
 * is stopped before a new one starts, so two never write the same spool.
 *
 * <p>The spool bound: while the spool holds {@link WalSpec#spoolLimitBytes()} or more (a target down), the
 * receiver is stopped and not restarted; it acknowledges nothing more, so the slot keeps the WAL on the server and
 * nothing is lost. It starts again once the shipper has drained the spool below the bound.
 *
 * <p>The shipper: every tick, completed files in name order (history files first, then the base backups' backup
 * history files, which it copies from the server's {@code pg_wal} since pg_receivewal never receives them), each deleted from the spool
 * only after every target stored it; then the {@code .partial} segment, when it changed and {@link
 * WalSpec#partialEvery()} has passed since its last upload, as a new partial version. A
 * failed push is retried after a backoff; nothing is skipped.
 */
public final class WalStream implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(WalStream.class);
    static final String PID_FILE = "receiver.pid";

    /** Timings; {@link #DEFAULTS} in production. */
    public record Settings(Duration tick, Duration firstRestart, Duration maxRestart, Duration healthyRun,
                           Duration firstShipRetry, Duration maxShipRetry, Duration backupHistoryEvery) {
        public static final Settings DEFAULTS = new Settings(Duration.ofMillis(250), Duration.ofSeconds(1),
                Duration.ofMinutes(1), Duration.ofSeconds(30), Duration.ofSeconds(1), Duration.ofMinutes(1),
                Duration.ofSeconds(5));
    }

    private final String function;
    private final WalSpec spec;
    private final Spool spool;
    private final WalReceiver receiver;
    private final WalShipping shipping;
    private final Settings settings;
    private final Clock clock;

    private volatile boolean running;
    private Thread supervisor;
    private Thread shipper;
    private final Object lock = new Object();

    // receiver state (guarded by lock)
    private Process child;
    private String state = "starting";
    private int restarts;
    private Instant lastRestart;
    private String lastReceiverExit;
    private String startError;
    private int startFailures;
    private Instant nextRestartAt;
    private String lastOutputLine;

    // shipper state (shipper thread; read by status())
    private volatile Instant lastArchivedAt;
    private volatile String lastArchivedName;
    private volatile String lastShipError;
    private volatile Instant caughtUpAt;
    private volatile Spool.Contents lastContents = new Spool.Contents(List.of(), Optional.empty(), 0);
    private Instant nextShipAttempt = Instant.MIN;
    private final Backoff shipBackoff;
    private String partialSegment;
    private FileTime partialShippedTime;
    private int supersededSegments;
    private Instant nextBackupHistoryLook = Instant.MIN;
    private final java.util.Set<String> backupHistoryCopied = new java.util.HashSet<>();
    private Instant partialShippedAt = Instant.MIN;

    public WalStream(String function, WalSpec spec, Path spoolDir, PgClients clients, WalShipping shipping,
                     Settings settings, Clock clock) {
        this.function = function;
        this.spec = spec;
        this.spool = new Spool(spoolDir);
        this.receiver = new WalReceiver(spec, clients);
        this.shipping = shipping;
        this.settings = settings;
        this.clock = clock;
        this.shipBackoff = new Backoff(settings.firstShipRetry(), settings.maxShipRetry());
    }

    /** Creates the spool, stops a receiver a killed host left behind, and starts the receiver and shipper. */
    public void start() throws IOException {
        Files.createDirectories(spool.dir());
        stopLeftoverReceiver();
        caughtUpAt = clock.instant();
        running = true;
        supervisor = new Thread(this::supervise, "firesafe-wal-receiver-" + function);
        shipper = new Thread(this::ship, "firesafe-wal-shipper-" + function);
        supervisor.setDaemon(true);
        shipper.setDaemon(true);
        supervisor.start();
        shipper.start();
        LOG.infof("function %s: %s, spool %s (bound %d MiB)", function, spec.describe(), spool.dir(),
                spec.spoolLimitBytes() >> 20);
    }

    public String function() {
        return function;
    }

    public WalSpec spec() {
        return spec;
    }

    public Path spoolDir() {
        return spool.dir();
    }

    public WalReceiver receiver() {
        return receiver;
    }

    public StreamStatus status() {
        Instant now = clock.instant();
        Spool.Contents c = lastContents;
        boolean full = c.bytes() >= spec.spoolLimitBytes();
        synchronized (lock) {
            boolean up = child != null && child.isAlive();
            Duration lag = caughtUpAt == null ? Duration.ZERO : Duration.between(caughtUpAt, now);
            Duration next = nextRestartAt == null || !nextRestartAt.isAfter(now) ? Duration.ZERO
                    : Duration.between(now, nextRestartAt);
            return new StreamStatus(function, state, up, restarts, lastRestart, lastReceiverExit, next,
                    c.completed().size(), c.bytes(), spec.spoolLimitBytes(), full, lastArchivedAt, lastArchivedName,
                    lag.isNegative() ? Duration.ZERO : lag, lastShipError, startError, startFailures);
        }
    }

    // --- the receiver ---

    private void supervise() {
        Backoff backoff = new Backoff(settings.firstRestart(), settings.maxRestart());
        boolean childRan = false;
        while (running) {
            if (spoolFull()) {
                pauseWhileFull();
                continue;
            }
            if (childRan) {
                synchronized (lock) {
                    restarts++;
                    lastRestart = clock.instant();
                }
            }
            Instant started = clock.instant();
            Run run = runReceiverOnce();
            childRan = run.childRan();
            if (!running) {
                break;
            }
            if (Duration.between(started, clock.instant()).compareTo(settings.healthyRun()) >= 0) {
                backoff.reset();
            }
            if (spoolFull()) {
                continue; // stopped by the bound, not a failure: no backoff
            }
            Duration wait = backoff.next();
            synchronized (lock) {
                nextRestartAt = clock.instant().plus(wait);
                if (run.childRan()) {
                    lastReceiverExit = run.why();
                    state = "restarting";
                } else {
                    state = "cannot start";
                }
            }
            if (run.childRan()) {
                LOG.warnf("function %s: pg_receivewal ended (%s); restarting in %s", function, run.why(), wait);
            } else {
                LOG.errorf("function %s: pg_receivewal cannot start: %s; replication slot %s keeps the WAL on the "
                        + "server meanwhile; trying again in %s", function, run.why(), spec.slot(), wait);
            }
            if (!pause(wait)) {
                break;
            }
        }
        synchronized (lock) {
            state = "stopped";
        }
    }

    /** How one attempt ended: whether a child ran at all (else it could not start), and why it ended. */
    private record Run(boolean childRan, String why) {
    }

    /** Starts the receiver and waits for it to end. */
    private Run runReceiverOnce() {
        Process p;
        try {
            spool.dropEmptyPartials().forEach(f -> LOG.infof("function %s: removed %s, which holds no WAL (a "
                    + "receiver was stopped while it prepared the file)", function, f));
            receiver.createSlot(); // first: from here on the server keeps the WAL, whether or not a client fits
            var client = receiver.client();
            ProcessBuilder pb = new ProcessBuilder(receiver.command(client, spool.dir())).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.environment().putAll(receiver.env());
            synchronized (lock) {
                if (!running) {
                    return new Run(false, "stopped");
                }
                p = pb.start();
                // the pid first: a host killed from here on leaves a receiver the next one can find and stop
                Path pidTemp = spool.dir().resolve(PID_FILE + ".tmp");
                Files.writeString(pidTemp, Long.toString(p.pid()));
                Files.move(pidTemp, spool.dir().resolve(PID_FILE), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                child = p;
                state = "streaming";
                nextRestartAt = null;
                lastOutputLine = null;
                startError = null;
            }
        } catch (IOException | FiresafeException e) {
            synchronized (lock) {
                startError = e.getMessage();
                startFailures++;
            }
            return new Run(false, e.getMessage());
        }
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                LOG.debugf("function %s: %s", function, line);
                synchronized (lock) {
                    lastOutputLine = line;
                }
            }
        } catch (IOException e) {
            // the stream closes when the child is destroyed
        }
        try {
            int code = p.waitFor();
            synchronized (lock) {
                child = null;
                return new Run(true, "exit code " + code + (lastOutputLine == null ? "" : ": " + lastOutputLine));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Run(true, "interrupted");
        }
    }

    private boolean spoolFull() {
        return lastContents.bytes() >= spec.spoolLimitBytes();
    }

    private void pauseWhileFull() {
        synchronized (lock) {
            if (!state.startsWith("paused")) {
                LOG.errorf("function %s: WAL spool %s is full (%d MiB of %d MiB: a target is not taking WAL: %s); "
                                + "pg_receivewal is stopped, the replication slot %s keeps the WAL on the server "
                                + "until the spool drains", function, spool.dir(), lastContents.bytes() >> 20,
                        spec.spoolLimitBytes() >> 20, lastShipError, spec.slot());
            }
            state = "paused: spool full";
        }
        pause(settings.tick());
    }

    /** Stops the child gently (pg_receivewal flushes what it has), then for sure. */
    private void stopChild() {
        Process p;
        synchronized (lock) {
            p = child;
        }
        if (p == null) {
            return;
        }
        p.destroy();
        try {
            if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** A receiver whose pid the spool names and that still runs on this spool: a killed host's child. */
    private void stopLeftoverReceiver() throws IOException {
        Path pidFile = spool.dir().resolve(PID_FILE);
        if (!Files.isRegularFile(pidFile)) {
            return;
        }
        long pid;
        try {
            pid = Long.parseLong(Files.readString(pidFile).strip());
        } catch (NumberFormatException e) {
            return;
        }
        Optional<ProcessHandle> leftover = ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .filter(h -> h.info().command().map(c -> c.endsWith("pg_receivewal")).orElse(false))
                .filter(h -> h.info().arguments().map(a -> List.of(a).contains(spool.dir().toString()))
                        .orElse(false));
        if (leftover.isPresent()) {
            LOG.warnf("function %s: stopping pg_receivewal (pid %d) left running on %s by an earlier host", function,
                    pid, spool.dir());
            ProcessHandle h = leftover.get();
            h.destroy();
            try {
                h.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                h.destroyForcibly();
            }
        }
    }

    // --- the shipper ---

    private void ship() {
        while (running) {
            copyBackupHistory();
            shipOnce();
            if (spoolFull()) {
                stopChild(); // the bound: acknowledge nothing more, the slot keeps the rest on the server
            }
            pause(settings.tick());
        }
    }

    /**
     * Every {@link Settings#backupHistoryEvery()}: the backup history files the server holds that this stream has not
     * yet put in the spool. pg_receivewal never receives them (they go to archive_command only), and without them a
     * point-in-time restore finds no base backup.
     */
    private void copyBackupHistory() {
        Instant now = clock.instant();
        if (now.isBefore(nextBackupHistoryLook)) {
            return;
        }
        nextBackupHistoryLook = now.plus(settings.backupHistoryEvery());
        try {
            for (var e : receiver.backupHistoryFiles().entrySet()) {
                if (backupHistoryCopied.add(e.getKey())) {
                    spool.add(e.getKey(), e.getValue());
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.debugf("function %s: cannot read the server's backup history files: %s", function, e.getMessage());
        }
    }

    /** One pass: completed files, then the partial segment when due. Public for the final pass at stop. */
    void shipOnce() {
        Instant passStart = clock.instant();
        boolean receiverUp;
        synchronized (lock) {
            receiverUp = child != null && child.isAlive();
        }
        Spool.Contents c;
        try {
            c = spool.contents();
        } catch (IOException e) {
            lastShipError = "cannot list the spool " + spool.dir() + ": " + e.getMessage();
            return;
        }
        lastContents = c;
        if (passStart.isBefore(nextShipAttempt)) {
            return;
        }
        for (Path f : c.completed()) {
            String name = f.getFileName().toString();
            if (!push(name, () -> shipping.push(name, f))) {
                return;
            }
            try {
                Files.deleteIfExists(f);
            } catch (IOException e) {
                lastShipError = "cannot remove shipped " + f + ": " + e.getMessage();
                return;
            }
            if (!name.endsWith(".history")) {
                supersededSegments++;
            }
        }
        if (supersededSegments > 0 && c.partial().isEmpty() || supersededSegments >= 16) {
            bestEffort(shipping::removeSuperseded);
            supersededSegments = 0;
        }
        try {
            lastContents = spool.contents();
        } catch (IOException e) {
            return;
        }
        boolean partialShipped = true;
        // while completed segments wait (a backlog being caught up), a partial beyond them is no use to a
        // restore, which needs the WAL without a gap: ship them first, the partial once they are all stored
        if (lastContents.completed().isEmpty() && lastContents.partial().isPresent()) {
            partialShipped = shipPartial(lastContents.partial().get(), lastContents.partialSegment().orElseThrow(),
                    passStart);
        }
        if (receiverUp && lastContents.completed().isEmpty() && partialShipped) {
            caughtUpAt = passStart;
        }
    }

    /** Whether the partial's current state is on the targets (pushed now or before). */
    private boolean shipPartial(Path partial, String segment, Instant now) {
        FileTime modified = Spool.modified(partial);
        if (modified == null) {
            return false; // completed and renamed meanwhile: the next pass ships it whole
        }
        if (segment.equals(partialSegment) && modified.equals(partialShippedTime)) {
            return true;
        }
        if (Duration.between(partialShippedAt, now).compareTo(spec.partialEvery()) < 0) {
            return false;
        }
        if (!push(segment + ".partial", () -> shipping.pushPartial(segment, partial))) {
            return false;
        }
        partialSegment = segment;
        partialShippedTime = modified;
        partialShippedAt = now;
        return true;
    }

    private interface Push {
        void run() throws IOException;
    }

    private boolean push(String name, Push push) {
        try {
            push.run();
        } catch (java.nio.file.NoSuchFileException e) {
            return false; // the partial was completed and renamed while read: shipped whole next pass
        } catch (IOException | RuntimeException e) {
            Duration wait = shipBackoff.next();
            nextShipAttempt = clock.instant().plus(wait);
            if (lastShipError == null) {
                LOG.warnf("function %s: cannot ship %s: %s (kept in the spool, retrying)", function, name,
                        e.getMessage());
            }
            lastShipError = name + ": " + e.getMessage();
            return false;
        }
        if (lastShipError != null) {
            LOG.infof("function %s: shipping again (%s stored)", function, name);
        }
        shipBackoff.reset();
        lastShipError = null;
        lastArchivedAt = clock.instant();
        lastArchivedName = name;
        return true;
    }

    private void bestEffort(Push push) {
        try {
            push.run();
        } catch (IOException | RuntimeException e) {
            LOG.debugf("function %s: removing superseded partial versions failed: %s", function, e.getMessage());
        }
    }

    private boolean pause(Duration d) {
        try {
            Thread.sleep(Math.max(1, d.toMillis()));
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Stops the receiver (it flushes what it received) and ships what it wrote, once, before returning. */
    @Override
    public void close() {
        running = false;
        stopChild();
        if (supervisor != null) {
            supervisor.interrupt();
        }
        if (shipper != null) {
            shipper.interrupt();
            try {
                shipper.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        partialShippedAt = Instant.MIN; // a final partial upload regardless of the timer
        nextShipAttempt = Instant.MIN;
        shipOnce();
        shipping.close();
        try {
            Files.deleteIfExists(spool.dir().resolve(PID_FILE));
        } catch (IOException e) {
            // a stale pid file is checked against the running process next time
        }
    }
}
