package dev.firesafe.host.trigger;

import dev.firesafe.host.functions.FunctionCatalog;

import dev.firesafe.engine.backup.BackupResult;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Publishes every finished run on the outgoing channel {@code backup-events} as a structured-mode CloudEvent:
 * {@code backup.completed} or {@code backup.failed}, with the backup id, plan, targets, bytes, duration and error.
 */
@ApplicationScoped
public class BackupEvents {

    static final String SOURCE = "firesafe";
    private static final Logger LOG = Logger.getLogger(BackupEvents.class);

    private final Emitter<String> events;
    private final FunctionCatalog catalog;

    @Inject
    public BackupEvents(@Channel("backup-events") Emitter<String> events, FunctionCatalog catalog) {
        this.events = events;
        this.catalog = catalog;
    }

    void onRunFinished(@Observes RunFinished finished) {
        RunState run = finished.run();
        BackupResult r = finished.result();
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("runId", run.id());
        data.put("function", run.function());
        data.put("plan", r != null ? r.plan() : catalog.find(run.function()).map(f -> f.plan().name())
                .orElse(run.function()));
        data.put("backupId", run.backupId());
        data.put("trigger", run.trigger());
        data.put("targets", r == null ? List.of() : r.targets().stream().map(t -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("target", t.target());
            m.put("ok", t.ok());
            m.put("error", t.error());
            return m;
        }).toList());
        data.put("bytes", run.bytes());
        data.put("durationMs", Duration.between(run.started(), run.ended()).toMillis());
        data.put("exitCode", run.exitCode());
        data.put("error", run.error());
        String type = run.status() == RunState.Status.SUCCEEDED ? "backup.completed" : "backup.failed";
        publish(events, type, (String) data.get("plan"), data, "run " + run.id());
    }

    /**
     * Sends one structured-mode CloudEvent on {@code backup-events}; a broker that refuses it is logged, never
     * thrown back into the run or drill that ended ({@code what} names it in the log).
     */
    static void publish(Emitter<String> events, String type, String subject, Map<String, Object> data, String what) {
        String json = CloudEvent.toJson(UUID.randomUUID().toString(), SOURCE, type, subject, data);
        events.send(json).whenComplete((ok, failure) -> {
            if (failure != null) {
                LOG.warnf("could not publish %s of %s on backup-events: %s", type, what, failure.getMessage());
            }
        });
    }
}
