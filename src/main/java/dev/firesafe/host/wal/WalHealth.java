package dev.firesafe.host.wal;

import dev.firesafe.engine.walstream.StreamStatus;
import dev.firesafe.host.Serving;
import dev.firesafe.plan.FunctionDefinition;
import dev.firesafe.plan.WalSpec;
import dev.firesafe.postgres.WalReceiver;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.health.api.HealthRegistry;
import io.smallrye.health.api.Wellness;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

import java.time.Duration;
import java.time.Instant;

/**
 * One wellness check per function with a {@code wal:} section, {@code wal NAME}: DOWN when the archive lag exceeds
 * the function's {@code rpo}, when the receiver cannot start (no client of the server's major version, say: DOWN at
 * once, with the reason, rather than only once the lag passes the rpo), when the spool is full (the receiver is stopped; the slot holds WAL on the server),
 * when the server's {@code archive_command} is failing, or when a {@code firesafe_*} replication slot no function
 * of this host uses is left on the server (it keeps WAL forever). The data says which, with the figures.
 */
@ApplicationScoped
public class WalHealth {

    private final WalStreams streams;
    private final HealthRegistry registry;

    @Inject
    public WalHealth(WalStreams streams, @Wellness HealthRegistry registry) {
        this.streams = streams;
        this.registry = registry;
    }

    void register(@Observes StartupEvent start, Serving serving) {
        if (!serving.http()) {
            return;
        }
        for (FunctionDefinition f : streams.walFunctions()) {
            registry.register("wal " + f.name(), () -> check(f));
        }
    }

    HealthCheckResponse check(FunctionDefinition f) {
        WalSpec spec = f.wal().orElseThrow();
        HealthCheckResponseBuilder r = HealthCheckResponse.named("wal " + f.name());
        WalStreams.Lag lag = streams.lag(f);
        boolean up = !lag.overRpo();
        r.withData("mode", spec.streams() ? "stream" : "archive-command")
                .withData("rpo-seconds", spec.rpo().toSeconds())
                .withData("lag-seconds", lag.lag().toSeconds())
                .withData("segments-waiting", lag.waitingSegments())
                .withData("state", lag.detail());
        if (lag.lastArchivedAt() != null) {
            r.withData("last-archived", lag.lastArchivedAt().toString())
                    .withData("last-archived-age-seconds", Duration.between(lag.lastArchivedAt(), Instant.now())
                            .toSeconds());
        }
        if (lag.overRpo()) {
            r.withData("alert", "archive lag exceeds the rpo");
        }
        StreamStatus s = streams.stream(f.name()).orElse(null);
        if (s != null) {
            r.withData("receiver", s.receiverUp() ? "running" : "not running")
                    .withData("receiver-restarts", s.restarts())
                    .withData("spool-bytes", s.spoolBytes())
                    .withData("spool-limit-bytes", s.spoolLimitBytes());
            if (s.lastRestart() != null) {
                r.withData("last-restart", s.lastRestart().toString());
            }
            if (s.startError() != null) {
                up = false;
                r.withData("receiver-cannot-start", s.startError())
                        .withData("receiver-start-failures", s.startFailures());
            }
            if (s.lastReceiverExit() != null) {
                r.withData("last-receiver-exit", s.lastReceiverExit());
            }
            if (!s.nextRestartIn().isZero()) {
                r.withData("next-restart-in-ms", s.nextRestartIn().toMillis());
            }
            if (s.lastShipError() != null) {
                r.withData("last-push-error", s.lastShipError());
            }
            if (s.spoolFull()) {
                up = false;
                r.withData("spool-full", "the spool holds " + (s.spoolBytes() >> 20) + " MiB of a " + (s.spoolLimitBytes()
                        >> 20) + " MiB bound: pg_receivewal is stopped; replication slot " + spec.slot()
                        + " keeps the WAL on the server, whose pg_wal grows until a target takes WAL again");
            }
        }
        ServerWatch w = streams.watch(f.name());
        if (w.error() != null) {
            r.withData("server-error", w.error());
        }
        for (WalReceiver.Slot slot : w.slots()) {
            if (slot.name().equals(spec.slot())) {
                r.withData("slot", slot.name() + (slot.active() ? " active" : " inactive") + ", retains "
                        + slot.retainedBytes() + " bytes");
            }
        }
        for (WalReceiver.Slot left : w.leftBehind(streams.slotsInUse())) {
            up = false;
            r.withData("slot-left-behind " + left.name(), "inactive, retains " + left.retainedBytes() + " bytes of "
                    + "WAL on the server; no function of this host uses it: SELECT pg_drop_replication_slot('"
                    + left.name() + "')");
        }
        WalReceiver.Archiver a = w.archiver();
        if (a != null) {
            r.withData("archiver-archived-count", a.archivedCount())
                    .withData("archiver-failed-count", a.failedCount())
                    .withData("pg-wal-bytes", a.walBytes());
            if (a.lastFailedTime() != null) {
                r.withData("archiver-last-failed", a.lastFailedWal() + " at " + a.lastFailedTime());
            }
            if (a.failing()) {
                up = false;
                r.withData("archiver", "archive_command is failing: PostgreSQL keeps the " + a.readySegments()
                        + " segment(s) not archived in pg_wal and retries");
            }
        }
        return r.status(up).build();
    }
}
