package dev.firesafe.host.trigger;

import dev.firesafe.engine.drill.DrillFinished;
import dev.firesafe.engine.drill.DrillResult;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Publishes every drill the function host runs (scheduled, or a drill of the CLI in the same process) on
 * {@code backup-events}, next to the backup events: {@code drill.completed} when every target's latest backup came
 * back whole, else {@code drill.failed}, with per target the backup drilled, bytes, files, the measured time to
 * restore (RTO) and the error. Only under {@code serve}: a one-shot {@code drill} reports on stdout and its exit
 * code, and its channels are in-memory with nobody listening.
 */
@ApplicationScoped
public class DrillEvents {

    private final Emitter<String> events;
    private final boolean serve;

    @Inject
    public DrillEvents(@Channel("backup-events") Emitter<String> events, TriggerConfig config) {
        this.events = events;
        this.serve = config.mode().equals("serve");
    }

    void onDrillFinished(@Observes DrillFinished finished) {
        if (!serve) {
            return;
        }
        DrillResult r = finished.result();
        List<DrillResult.TargetDrill> targets = r == null ? List.of() : r.targets();
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("plan", finished.plan());
        data.put("started", r == null ? null : r.started());
        data.put("targets", targets.stream().map(t -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("target", t.target());
            m.put("ok", t.ok());
            m.put("backupId", t.backupId());
            m.put("files", t.files());
            m.put("bytes", t.bytes());
            m.put("restoreMs", t.restoreMs());
            m.put("differences", t.differences());
            m.put("error", t.error());
            return m;
        }).toList());
        data.put("bytes", targets.stream().mapToLong(DrillResult.TargetDrill::bytes).sum());
        // the real RTO of the function: its slowest target
        data.put("restoreMs", targets.stream().mapToLong(DrillResult.TargetDrill::restoreMs).max().orElse(0));
        data.put("durationMs", r == null ? 0 : r.durationMs());
        data.put("exitCode", finished.exitCode());
        data.put("error", error(finished, targets));
        String type = finished.ok() ? "drill.completed" : "drill.failed";
        BackupEvents.publish(events, type, finished.plan(), data, "the drill of plan " + finished.plan());
    }

    /** Why it failed: the drill's own reason when it could not start, else the failed targets' reasons. */
    private static String error(DrillFinished finished, List<DrillResult.TargetDrill> targets) {
        if (finished.error() != null) {
            return finished.error();
        }
        return targets.stream().filter(t -> !t.ok()).map(t -> t.target() + ": " + t.error())
                .reduce((a, b) -> a + "; " + b).orElse(null);
    }
}
