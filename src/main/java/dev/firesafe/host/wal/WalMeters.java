package dev.firesafe.host.wal;

import dev.firesafe.engine.walstream.StreamStatus;
import dev.firesafe.host.Serving;
import dev.firesafe.plan.FunctionDefinition;
import dev.firesafe.postgres.WalReceiver;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.function.ToDoubleFunction;

/**
 * WAL archiving metrics per function ({@code function} label), read from {@link WalStreams} when scraped:
 * {@code firesafe_wal_archive_lag_seconds}, {@code firesafe_wal_segments_waiting},
 * {@code firesafe_wal_last_archived_timestamp_seconds}, {@code firesafe_wal_rpo_seconds}; streaming:
 * {@code firesafe_wal_receiver_up}, {@code firesafe_wal_receiver_restarts_total},
 * {@code firesafe_wal_receiver_start_failing} (1 while the receiver cannot start), {@code firesafe_wal_spool_bytes},
 * {@code firesafe_wal_spool_full}; from the server: {@code firesafe_wal_slots_left_behind},
 * {@code firesafe_wal_slot_retained_bytes} (the function's own slot), {@code firesafe_wal_archiver_failed}
 * (pg_stat_archiver's failed_count) and {@code firesafe_wal_pg_wal_bytes} in archive-command mode.
 */
@ApplicationScoped
public class WalMeters {

    void register(@Observes StartupEvent start, Serving serving, WalStreams streams, MeterRegistry registry) {
        if (!serving.http()) {
            return;
        }
        for (FunctionDefinition f : streams.walFunctions()) {
            Tags tags = Tags.of("function", f.name());
            gauge(registry, "firesafe.wal.archive.lag.seconds", "Age of the oldest WAL not yet on every target",
                    tags, streams, s -> s.lag(f).lag().toMillis() / 1000.0);
            gauge(registry, "firesafe.wal.segments.waiting", "Completed WAL segments not yet on every target", tags,
                    streams, s -> s.lag(f).waitingSegments());
            gauge(registry, "firesafe.wal.last.archived.timestamp.seconds", "When WAL last reached the targets "
                    + "(Unix time)", tags, streams, s -> {
                        var at = s.lag(f).lastArchivedAt();
                        return at == null ? Double.NaN : at.toEpochMilli() / 1000.0;
                    });
            gauge(registry, "firesafe.wal.rpo.seconds", "The function's rpo: the lag past which it alerts", tags,
                    streams, s -> f.wal().orElseThrow().rpo().toSeconds());
            gauge(registry, "firesafe.wal.slots.left.behind", "Inactive firesafe_* replication slots no function "
                    + "uses", tags, streams, s -> s.watch(f.name()).leftBehind(s.slotsInUse()).size());
            if (f.wal().orElseThrow().streams()) {
                streamGauges(registry, tags, streams, f);
            } else {
                gauge(registry, "firesafe.wal.archiver.failed", "pg_stat_archiver.failed_count of the server", tags,
                        streams, s -> archiver(s, f, WalReceiver.Archiver::failedCount));
                gauge(registry, "firesafe.wal.pg.wal.bytes", "Size of the server's pg_wal", tags, streams,
                        s -> archiver(s, f, WalReceiver.Archiver::walBytes));
            }
        }
    }

    private static void streamGauges(MeterRegistry registry, Tags tags, WalStreams streams, FunctionDefinition f) {
        String slot = f.wal().orElseThrow().slot();
        gauge(registry, "firesafe.wal.receiver.up", "1 while pg_receivewal runs", tags, streams,
                s -> status(s, f, st -> st.receiverUp() ? 1 : 0));
        gauge(registry, "firesafe.wal.receiver.start.failing", "1 while pg_receivewal cannot be started (no client "
                + "of the server's major version, server unreachable): health says why", tags, streams,
                s -> status(s, f, st -> st.startError() != null ? 1 : 0));
        FunctionCounter.builder("firesafe.wal.receiver.restarts", streams,
                        s -> status(s, f, StreamStatus::restarts))
                .description("Times pg_receivewal ended and was started again").tags(tags).register(registry);
        gauge(registry, "firesafe.wal.spool.bytes", "Bytes in the local WAL spool", tags, streams,
                s -> status(s, f, StreamStatus::spoolBytes));
        gauge(registry, "firesafe.wal.spool.full", "1 while the spool is at its bound (receiver stopped)", tags,
                streams, s -> status(s, f, st -> st.spoolFull() ? 1 : 0));
        gauge(registry, "firesafe.wal.slot.retained.bytes", "WAL the function's replication slot keeps on the "
                + "server", tags, streams, s -> s.watch(f.name()).slots().stream()
                .filter(x -> x.name().equals(slot)).mapToDouble(WalReceiver.Slot::retainedBytes).findFirst()
                .orElse(Double.NaN));
    }

    private static double status(WalStreams s, FunctionDefinition f, ToDoubleFunction<StreamStatus> value) {
        return s.stream(f.name()).map(value::applyAsDouble).orElse(Double.NaN);
    }

    private static double archiver(WalStreams s, FunctionDefinition f, ToDoubleFunction<WalReceiver.Archiver> v) {
        WalReceiver.Archiver a = s.watch(f.name()).archiver();
        return a == null ? Double.NaN : v.applyAsDouble(a);
    }

    private static void gauge(MeterRegistry registry, String name, String description, Tags tags,
                              WalStreams streams, ToDoubleFunction<WalStreams> value) {
        Gauge.builder(name, streams, value).description(description).tags(tags).strongReference(true)
                .register(registry);
    }
}
