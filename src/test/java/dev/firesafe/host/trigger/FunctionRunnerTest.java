package dev.firesafe.host.trigger;

import dev.firesafe.core.FiresafeException;
import dev.firesafe.engine.backup.BackupResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The coordinator's guarantees, with a backup that blocks on a latch instead of the real pipeline. */
class FunctionRunnerTest {

    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger maxRunning = new AtomicInteger();
    private final AtomicInteger started = new AtomicInteger();
    private final Semaphore runStarted = new Semaphore(0);
    private final CountDownLatch release = new CountDownLatch(1);
    private final List<RunFinished> finished = new CopyOnWriteArrayList<>();
    private FunctionRunner runner;

    private BackupResult blockingBackup(String function) {
        started.incrementAndGet();
        maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
        runStarted.release();
        try {
            if (!release.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("test never released the backup");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            running.decrementAndGet();
        }
        return new BackupResult("id-" + started.get(), function, 10, 42, 1, 5, "zstd",
                List.of(new BackupResult.TargetResult("file:///t", "o", true, null, List.of(), null)), List.of());
    }

    private FunctionRunner runner(RunAction action) {
        runner = new FunctionRunner(action, Duration.ZERO, finished::add, Clock.systemUTC());
        return runner;
    }

    @AfterEach
    void stop() {
        release.countDown();
        runner.stop();
    }

    private void awaitStarted() throws InterruptedException {
        assertTrue(runStarted.tryAcquire(30, TimeUnit.SECONDS), "the run did not start");
    }

    @Test
    void timerRequestsWhileARunIsGoingAreSkippedAndCounted() throws Exception {
        FunctionRunner r = runner(this::blockingBackup);
        FunctionRunner.Run first = r.request("web", "timer", Policy.SKIP_IF_BUSY).orElseThrow();
        awaitStarted();
        for (int i = 0; i < 5; i++) {
            assertEquals(Optional.empty(), r.request("web", "timer", Policy.SKIP_IF_BUSY));
        }
        assertEquals(RunState.Status.RUNNING, r.snapshot("web").running().status());
        assertEquals(5, r.snapshot("web").skipped());
        release.countDown();
        RunState done = first.done().get(30, TimeUnit.SECONDS);
        assertEquals(RunState.Status.SUCCEEDED, done.status());
        assertEquals(1, started.get());
        assertEquals(1, maxRunning.get());
        assertEquals(done, r.snapshot("web").last());
        assertEquals(done, r.run(first.id()).orElseThrow());
    }

    @Test
    void aBurstWhileRunningGivesExactlyOneMoreRunNeverTwoAtOnce() throws Exception {
        FunctionRunner r = runner(this::blockingBackup);
        FunctionRunner.Run first = r.request("web", "message", Policy.COALESCE).orElseThrow();
        awaitStarted();
        FunctionRunner.Run second = r.request("web", "message", Policy.COALESCE).orElseThrow();
        for (int i = 0; i < 998; i++) {
            assertSame(second, r.request("web", "message", Policy.COALESCE).orElseThrow());
        }
        assertEquals(998, r.snapshot("web").coalesced()); // 1,000 requests, two runs
        assertEquals(RunState.Status.QUEUED, r.snapshot("web").queued().status());
        release.countDown();
        assertEquals(RunState.Status.SUCCEEDED, first.done().get(30, TimeUnit.SECONDS).status());
        assertEquals(RunState.Status.SUCCEEDED, second.done().get(30, TimeUnit.SECONDS).status());
        assertEquals(2, started.get());
        assertEquals(1, maxRunning.get());
        assertEquals(2, finished.size());
        assertNull(r.snapshot("web").queued());
    }

    @Test
    void exclusiveWorkIsSkippedAndCountedWhileABackupIsGoing() throws Exception {
        FunctionRunner r = runner(this::blockingBackup);
        FunctionRunner.Run backup = r.request("web", "timer", Policy.SKIP_IF_BUSY).orElseThrow();
        awaitStarted();
        AtomicInteger drills = new AtomicInteger();
        assertTrue(r.exclusive("web", "drill", drills::incrementAndGet).isEmpty());
        assertEquals(1, r.snapshot("web").skipped());
        release.countDown();
        backup.done().get(30, TimeUnit.SECONDS);
        assertEquals(0, drills.get(), "the drill never ran beside the backup");
    }

    @Test
    void aBackupRequestedDuringExclusiveWorkWaitsForItAndATimerIsSkipped() throws Exception {
        FunctionRunner r = runner(this::blockingBackup);
        CountDownLatch drillStarted = new CountDownLatch(1);
        CountDownLatch drillRelease = new CountDownLatch(1);
        AtomicInteger overlaps = new AtomicInteger();
        CompletableFuture<Void> drill = r.exclusive("web", "drill", () -> {
            drillStarted.countDown();
            try {
                assertTrue(drillRelease.await(30, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            overlaps.addAndGet(running.get());
        }).orElseThrow();
        assertTrue(drillStarted.await(30, TimeUnit.SECONDS));
        assertEquals(Optional.empty(), r.request("web", "timer", Policy.SKIP_IF_BUSY));
        assertTrue(r.exclusive("web", "drill", () -> { }).isEmpty(), "a second drill does not overlap the first");
        assertEquals(2, r.snapshot("web").skipped());
        FunctionRunner.Run queued = r.request("web", "http", Policy.COALESCE).orElseThrow();
        assertEquals(RunState.Status.QUEUED, r.snapshot("web").queued().status());
        assertEquals(0, started.get(), "the backup waits for the drill");
        drillRelease.countDown();
        drill.get(30, TimeUnit.SECONDS);
        awaitStarted(); // starts once the drill returned
        release.countDown();
        assertEquals(RunState.Status.SUCCEEDED, queued.done().get(30, TimeUnit.SECONDS).status());
        assertEquals(0, overlaps.get());
        // the function is free again: a drill after the backup runs
        AtomicInteger again = new AtomicInteger();
        r.exclusive("web", "drill", again::incrementAndGet).orElseThrow().get(30, TimeUnit.SECONDS);
        assertEquals(1, again.get());
    }

    @Test
    void exclusiveWorkThatThrowsFreesTheFunction() throws Exception {
        FunctionRunner r = runner(this::blockingBackup);
        r.exclusive("web", "drill", () -> {
            throw new IllegalStateException("no key reads backups");
        }).orElseThrow().get(30, TimeUnit.SECONDS);
        release.countDown();
        RunState done = r.request("web", "http", Policy.COALESCE).orElseThrow().done().get(30, TimeUnit.SECONDS);
        assertEquals(RunState.Status.SUCCEEDED, done.status());
    }

    @Test
    void functionsRunIndependently() throws Exception {
        FunctionRunner r = runner(this::blockingBackup);
        r.request("web", "http", Policy.COALESCE);
        r.request("db", "http", Policy.COALESCE);
        awaitStarted();
        awaitStarted();
        assertEquals(2, maxRunning.get());
    }

    @Test
    void aFailureIsRecordedWithItsExitCodeAndReported() throws Exception {
        FunctionRunner r = runner(f -> {
            throw FiresafeException.source("source path /srv/gone does not exist");
        });
        RunState done = r.request("web", "http", Policy.COALESCE).orElseThrow().done().get(30, TimeUnit.SECONDS);
        assertEquals(RunState.Status.FAILED, done.status());
        assertEquals(6, done.exitCode());
        assertEquals("source path /srv/gone does not exist", done.error());
        assertEquals(done, finished.get(0).run());
        assertNull(finished.get(0).result());
        // the failed run does not wedge the function: the next request runs
        assertEquals(RunState.Status.FAILED, r.request("web", "http", Policy.COALESCE).orElseThrow().done()
                .get(30, TimeUnit.SECONDS).status());
    }

    @Test
    void requestsInsideTheDebounceWindowJoinOneRun() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        runner = new FunctionRunner(f -> {
            runs.incrementAndGet();
            return new BackupResult("id", f, 0, 0, 0, 0, "zstd", List.of(), List.of());
        }, Duration.ofSeconds(2), finished::add, Clock.systemUTC());
        FunctionRunner.Run first = runner.request("web", "message", Policy.COALESCE).orElseThrow();
        for (int i = 0; i < 10; i++) {
            assertSame(first, runner.request("web", "message", Policy.COALESCE).orElseThrow());
        }
        first.done().get(30, TimeUnit.SECONDS);
        assertEquals(1, runs.get());
        assertEquals(10, runner.snapshot("web").coalesced());
    }

    @Test
    void aRunCutShortByShutdownIsNotReportedSoItsMessageIsRedelivered() throws Exception {
        FunctionRunner r = runner(f -> {
            blockingBackup(f);
            throw FiresafeException.target("upload aborted: process is stopping", null);
        });
        FunctionRunner.Run run = r.request("web", "message", Policy.COALESCE).orElseThrow();
        awaitStarted();
        r.stop();
        release.countDown();
        assertTrue(r.awaitStopped(Duration.ofSeconds(30)));
        assertTrue(!run.done().isDone(), "a shutdown failure was reported as the run's result");
        assertTrue(finished.isEmpty());
    }
}
