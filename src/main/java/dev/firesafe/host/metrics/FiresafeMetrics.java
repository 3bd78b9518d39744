package dev.firesafe.host.metrics;

import dev.firesafe.engine.backup.BackupFinished;
import dev.firesafe.engine.backup.BackupResult;
import dev.firesafe.engine.drill.DrillFinished;
import dev.firesafe.engine.drill.DrillResult;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Firesafe's own metrics, fed by the {@link BackupFinished} and {@link DrillFinished} events. Every name starts
 * with {@code firesafe_} in the Prometheus output at {@code /q/metrics}; labels are {@code function} (the plan)
 * and {@code target}. The README's "Metrics" table lists them; deploy/prometheus and deploy/grafana use them.
 */
@ApplicationScoped
public class FiresafeMetrics {

    static final String FUNCTION = "function";
    static final String TARGET = "target";
    static final String RESULT = "result";

    private final MeterRegistry registry;
    /** Gauge values by meter name and tags; a gauge only samples what it was given, so the values live here. */
    private final Map<String, AtomicLong> gauges = new ConcurrentHashMap<>();

    @Inject
    public FiresafeMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void backupFinished(@Observes BackupFinished e) {
        Tags function = Tags.of(FUNCTION, e.plan());
        Timer.builder("firesafe.backup.duration").description("Backup run duration").tags(function)
                .register(registry).record(e.duration());
        gauge("firesafe.backup.last.duration.seconds", "Duration of the last backup run", function)
                .set(e.duration().toMillis());
        BackupResult r = e.result();
        if (r == null) {
            for (String target : e.targets()) {
                runs("firesafe.backup.runs", "Backup runs by result", function.and(TARGET, target), false);
            }
            return;
        }
        Counter.builder("firesafe.backup.read").baseUnit("bytes").description("Bytes read from sources")
                .tags(function).register(registry).increment(r.bytesIn());
        Counter.builder("firesafe.backup.files").description("Files backed up").tags(function).register(registry)
                .increment(r.files());
        boolean complete = r.missing().isEmpty(); // an incomplete backup (exit code 7) is not a good one
        for (BackupResult.TargetResult t : r.targets()) {
            Tags tags = function.and(TARGET, t.target());
            runs("firesafe.backup.runs", "Backup runs by result", tags, t.ok() && complete);
            if (t.ok() && complete) {
                Counter.builder("firesafe.backup.written").baseUnit("bytes")
                        .description("Encrypted bytes written to targets").tags(tags).register(registry)
                        .increment(r.bytesOut());
                gauge("firesafe.backup.last.success.timestamp.seconds", "When the last good backup finished (Unix "
                        + "time)", tags).set(e.started().plus(e.duration()).toEpochMilli());
                gauge("firesafe.backup.last.size.bytes", "Encrypted size of the last good backup", tags)
                        .set(r.bytesOut() * 1000);
            }
        }
    }

    void drillFinished(@Observes DrillFinished e) {
        DrillResult r = e.result();
        if (r == null) {
            return; // could not start (no key, bad arguments): the CLI or trigger reports it, no target to label
        }
        for (DrillResult.TargetDrill t : r.targets()) {
            Tags tags = Tags.of(FUNCTION, e.plan(), TARGET, t.target());
            runs("firesafe.drill.runs", "Restore drills by result", tags, t.ok());
            gauge("firesafe.drill.last.result", "1 when the last drill passed, 0 when it failed", tags)
                    .set(t.ok() ? 1000 : 0);
            gauge("firesafe.drill.last.timestamp.seconds", "When the last drill ran (Unix time)", tags)
                    .set(System.currentTimeMillis());
            gauge("firesafe.drill.last.restore.seconds", "Measured time to restore (RTO) in the last drill", tags)
                    .set(t.restoreMs());
        }
    }

    private void runs(String name, String description, Tags tags, boolean ok) {
        Counter.builder(name).description(description).tags(tags.and(RESULT, ok ? "ok" : "failed"))
                .register(registry).increment();
    }

    /**
     * A gauge holding thousandths (so millisecond times show as seconds with their fraction), created on first
     * use per name and tags.
     */
    private AtomicLong gauge(String name, String description, Tags tags) {
        return gauges.computeIfAbsent(name + tags, k -> {
            AtomicLong value = new AtomicLong();
            Gauge.builder(name, value, v -> v.get() / 1000.0).description(description).tags(tags)
                    .strongReference(true).register(registry);
            return value;
        });
    }
}
