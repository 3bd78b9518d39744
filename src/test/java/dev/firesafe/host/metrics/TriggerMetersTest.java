package dev.firesafe.host.metrics;

import dev.firesafe.engine.backup.BackupResult;
import dev.firesafe.host.trigger.FunctionRunner;
import dev.firesafe.host.trigger.Policy;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The skipped and coalesced counters follow the runner's counts, per function. */
class TriggerMetersTest {

    @Test
    void countersReadTheRunnersCountsPerFunction() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        FunctionRunner runner = new FunctionRunner(f -> {
            started.countDown();
            try {
                assertTrue(release.await(30, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new BackupResult("id", f, 0, 0, 0, 0, "zstd", List.of(), List.of());
        }, Duration.ZERO, finished -> { }, Clock.systemUTC());
        try {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            TriggerMeters.bind(registry, runner, List.of("web", "db"));

            FunctionRunner.Run first = runner.request("web", "message", Policy.COALESCE).orElseThrow();
            assertTrue(started.await(30, TimeUnit.SECONDS));
            runner.request("web", "message", Policy.COALESCE); // queues the one extra run
            runner.request("web", "message", Policy.COALESCE); // joins it: coalesced
            runner.request("web", "message", Policy.COALESCE); // joins it: coalesced
            runner.request("web", "timer", Policy.SKIP_IF_BUSY); // skipped
            assertTrue(runner.exclusive("web", "drill", () -> { }).isEmpty()); // skipped

            assertEquals(2.0, count(registry, "firesafe.trigger.skipped", "web"));
            assertEquals(2.0, count(registry, "firesafe.trigger.coalesced", "web"));
            assertEquals(0.0, count(registry, "firesafe.trigger.skipped", "db"));
            assertEquals(0.0, count(registry, "firesafe.trigger.coalesced", "db"));
            release.countDown();
            first.done().get(30, TimeUnit.SECONDS);
        } finally {
            release.countDown(); // its threads are daemons; the run ends and nothing else is started
        }
    }

    private static double count(SimpleMeterRegistry registry, String name, String function) {
        FunctionCounter c = registry.get(name).tag(FiresafeMetrics.FUNCTION, function).functionCounter();
        return c.count();
    }
}
