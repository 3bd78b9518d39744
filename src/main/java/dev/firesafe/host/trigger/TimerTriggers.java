package dev.firesafe.host.trigger;

import dev.firesafe.plan.FunctionDefinition;
import dev.firesafe.plan.TriggerSpec;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.Scheduler;
import io.quarkus.scheduler.Trigger;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Timer triggers, registered programmatically with the Quarkus scheduler from the function files. Each job only
 * asks {@link FunctionRunner} for a run (never blocks), so a run still going when the next one fires is skipped
 * and counted there. Drill triggers are scheduled the same way and go through {@link FunctionDrills}.
 *
 * <p>Two guards from Quarkus issues: jobs do not fire before the application is running
 * ({@link Scheduled.ApplicationNotRunning}), and an {@code every} job's first fire is one interval after start,
 * not at start, so it never doubles the startup trigger's run.
 */
@ApplicationScoped
public class TimerTriggers {

    private final Scheduler scheduler;
    private final FunctionRunner runner;
    private final FunctionDrills drills;
    private final Map<String, List<Job>> jobs = new ConcurrentHashMap<>();

    /** A registered job; {@code firstFire} is known for {@code every} jobs, whose trigger reports it wrongly. */
    private record Job(TriggerSpec.Kind kind, Trigger trigger, Instant firstFire) {
        Instant nextFire() {
            return firstFire != null && trigger.getPreviousFireTime() == null ? firstFire
                    : trigger.getNextFireTime();
        }
    }

    @Inject
    public TimerTriggers(Scheduler scheduler, FunctionRunner runner, FunctionDrills drills) {
        this.scheduler = scheduler;
        this.runner = runner;
        this.drills = drills;
    }

    public void register(FunctionDefinition function) {
        List<Job> registered = new ArrayList<>();
        int n = 0;
        for (TriggerSpec spec : function.triggers()) {
            if (!spec.kind().scheduled()) {
                continue;
            }
            Runnable fire = spec.kind() == TriggerSpec.Kind.DRILL ? () -> drills.request(function)
                    : () -> runner.request(function.name(), "timer", Policy.SKIP_IF_BUSY);
            Scheduler.JobDefinition<?> job = scheduler.newJob("firesafe-" + function.name() + "-"
                            + spec.kind().name().toLowerCase(java.util.Locale.ROOT) + "-" + n++)
                    .setSkipPredicate(Scheduled.ApplicationNotRunning.class)
                    .setTask(execution -> fire.run());
            Instant firstFire = null;
            if (spec.cron() != null) {
                job.setCron(spec.cron());
            } else {
                String every = spec.every().toString();
                job.setInterval(every).setDelayed(every);
                firstFire = Instant.now().plus(spec.every());
            }
            registered.add(new Job(spec.kind(), job.schedule(), firstFire));
        }
        jobs.put(function.name(), registered);
    }

    /** The soonest next fire time of {@code function}'s backup timers. */
    public Optional<Instant> nextFireTime(String function) {
        return nextFireTime(function, TriggerSpec.Kind.TIMER);
    }

    /** The soonest next fire time of {@code function}'s triggers of {@code kind} (TIMER or DRILL). */
    public Optional<Instant> nextFireTime(String function, TriggerSpec.Kind kind) {
        return jobs.getOrDefault(function, List.of()).stream().filter(j -> j.kind() == kind).map(Job::nextFire)
                .filter(t -> t != null).min(Instant::compareTo);
    }
}
