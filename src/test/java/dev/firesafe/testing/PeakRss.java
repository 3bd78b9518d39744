package dev.firesafe.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Peak resident memory of a running command, read from VmHWM in /proc/PID/status every 10 ms while it runs (the
 * kernel's high-water mark; gone once the process has exited). A bare {@code java -jar} runs the command in a
 * child JVM (dev.firesafe.cli.HeapRelaunch): that child's peak is read as well.
 */
public final class PeakRss {

    /** Peaks in KiB: the process started, and its child JVM (0 when it started none). */
    public record Peaks(long processKib, long childKib) {
        /** Both at once, counted twice where they share pages (the JVM's own code): an upper bound. */
        public long totalKib() {
            return processKib + childKib;
        }
    }

    private PeakRss() {
    }

    /** Waits for p to end, at most {@code limit} (then kills it and fails), polling both peaks. */
    public static Peaks watch(Process p, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        long own = 0;
        long child = 0;
        Optional<ProcessHandle> childHandle = Optional.empty();
        while (!p.waitFor(10, TimeUnit.MILLISECONDS)) {
            own = Math.max(own, vmHwmKib(p.pid()));
            if (childHandle.isEmpty()) {
                childHandle = p.toHandle().children().findFirst();
            }
            if (childHandle.isPresent()) {
                child = Math.max(child, vmHwmKib(childHandle.get().pid()));
            }
            if (System.nanoTime() > deadline) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new AssertionError("the command did not finish within " + limit);
            }
        }
        return new Peaks(own, child);
    }

    /** The process's peak resident set so far, in KiB; 0 once it has exited (its memory is gone then). */
    public static long vmHwmKib(long pid) {
        Path status = Path.of("/proc", Long.toString(pid), "status");
        try {
            for (String line : Files.readAllLines(status, StandardCharsets.US_ASCII)) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.substring(6).replace("kB", "").strip());
                }
            }
        } catch (IOException | RuntimeException e) {
            // exited between two looks
        }
        return 0;
    }
}
