package dev.firesafe.trigger;

import dev.firesafe.backup.BackupCatalog;
import dev.firesafe.backup.BackupId;
import dev.firesafe.plan.FunctionDefinition;
import dev.firesafe.plan.TriggerSpec;
import dev.firesafe.target.Target;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The catch-up decision of a startup trigger: a run is due when some target of the plan has no backup of it, or
 * its newest is older than the function's schedule interval (its shortest timer; 6 hours without one). A target
 * that cannot be listed counts as due: running a backup that turns out redundant is cheaper than missing one.
 */
public final class CatchUp {

    /** Why a run is due, or empty when every target has a fresh backup. */
    public static Optional<String> reason(FunctionDefinition f, List<String> targetUris,
                                          Function<String, Target> opener, Instant now) {
        Duration interval = interval(f, now);
        for (String uri : targetUris) {
            Instant newest;
            try {
                List<BackupCatalog.Ref> refs = BackupCatalog.list(opener.apply(uri), f.plan().name());
                if (refs.isEmpty()) {
                    return Optional.of("no backup of plan '" + f.plan().name() + "' on " + uri);
                }
                newest = BackupId.time(refs.get(refs.size() - 1).id());
            } catch (IOException | RuntimeException e) {
                return Optional.of("cannot list " + uri + " (" + e.getMessage() + ")");
            }
            if (newest.plus(interval).isBefore(now)) {
                return Optional.of("newest backup on " + uri + " is from " + newest + ", older than "
                        + interval);
            }
        }
        return Optional.empty();
    }

    static Duration interval(FunctionDefinition f, Instant now) {
        return f.triggers().stream().map(t -> t.interval(now.atZone(ZoneOffset.UTC))).flatMap(Optional::stream)
                .min(Duration::compareTo).orElse(TriggerSpec.DEFAULT_EVERY);
    }

    private CatchUp() {
    }
}
