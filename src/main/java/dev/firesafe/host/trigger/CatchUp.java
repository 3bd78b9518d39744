package dev.firesafe.host.trigger;

import dev.firesafe.repository.BackupCatalog;
import dev.firesafe.repository.BackupId;
import dev.firesafe.plan.FunctionDefinition;
import dev.firesafe.plan.TriggerSpec;
import dev.firesafe.store.Store;

import java.io.IOException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The catch-up decision of a startup trigger: a run is due when some target of the plan has no backup of it, or a
 * scheduled run was missed since its newest one (the earliest next fire of the function's timers after it is
 * past; 6 hours after it without a timer). Following the fire times, not the gap between the next two, keeps a
 * monthly cron's run missed on the 1st of a 30-day month, and spares a weekday cron's Monday start a run before
 * its own. A target that cannot be listed counts as due: running a backup that turns out redundant is cheaper
 * than missing one.
 */
public final class CatchUp {

    /** Why a run is due, or empty when no target misses a scheduled run. */
    public static Optional<String> reason(FunctionDefinition f, List<String> targetUris,
                                          Function<String, Store> opener, Instant now) {
        for (String uri : targetUris) {
            Instant newest;
            try {
                List<BackupCatalog.Ref> refs;
                try (Store store = opener.apply(uri)) {
                    refs = BackupCatalog.list(store, f.plan().name());
                }
                if (refs.isEmpty()) {
                    return Optional.of("no backup of plan '" + f.plan().name() + "' on " + uri);
                }
                newest = BackupId.time(refs.get(refs.size() - 1).id());
            } catch (IOException | RuntimeException e) {
                return Optional.of("cannot list " + uri + " (" + e.getMessage() + ")");
            }
            Instant due = nextRun(f, newest);
            if (due.isBefore(now)) {
                return Optional.of("newest backup on " + uri + " is from " + newest + ", the run due at " + due
                        + " was missed");
            }
        }
        return Optional.empty();
    }

    /** The first scheduled run after a backup made at {@code newest}, in the host's zone as cron fires. */
    static Instant nextRun(FunctionDefinition f, Instant newest) {
        ZonedDateTime after = newest.atZone(ZoneId.systemDefault());
        return f.triggers().stream().filter(t -> t.kind() == TriggerSpec.Kind.TIMER).map(t -> t.nextFire(after))
                .flatMap(Optional::stream).map(ZonedDateTime::toInstant).min(Instant::compareTo)
                .orElse(newest.plus(TriggerSpec.DEFAULT_EVERY));
    }

    private CatchUp() {
    }
}
