package dev.firesafe.it;

import dev.firesafe.testing.Cli;
import dev.firesafe.testing.Host;
import dev.firesafe.testing.PeakRss;
import dev.firesafe.testing.SmallFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Issue #18 point 2, "whatever the heap default": {@code java -jar quarkus-run.jar backup|restore|verify} with no
 * JVM flag at all stays within 256 MiB of peak RSS on 100,000 small files (without dev.firesafe.cli.HeapRelaunch,
 * HotSpot's default heap on a 24 GiB machine took 291-362 MiB for these three commands). The peak counted is the
 * process's VmHWM plus its child JVM's (an upper bound: they share the JVM's code). A bare JVM also passes stops on
 * to that child: SIGTERM ends both with 143, and a parent killed with SIGKILL leaves no child running.
 */
class BareJarMemoryIT {

    private static final int FILES = 100_000;
    private static final long LIMIT_KIB = 256 * 1024;
    private static final Duration WAIT = Duration.ofMinutes(5);

    @TempDir
    Path junitTmp;

    @Test
    void backupRestoreAndVerifyOfManySmallFilesStayWithin256MiBWithTheDefaultHeap() throws Exception {
        Path tmp = workDir();
        try {
            Path source = tmp.resolve("src");
            SmallFiles.generate(source, FILES);
            Cli cli = new Cli(tmp);
            cli.useNewKey();
            String target = tmp.resolve("backups").toString();

            measured(tmp, cli, "backup", "--source", source.toString(), "--target", target);
            Path out = tmp.resolve("restored");
            measured(tmp, cli, "restore", "latest", "--to", out.toString(), "--target", target);
            byte[] pool = SmallFiles.pool();
            for (int i = 0; i < FILES; i += FILES / 100) {
                Path relative = source.relativize(SmallFiles.file(source, i));
                assertArrayEquals(SmallFiles.content(pool, i),
                        Files.readAllBytes(out.resolve("src").resolve(relative)), relative.toString());
            }
            measured(tmp, cli, "verify", "latest", "--target", target);
        } finally {
            if (!tmp.equals(junitTmp)) {
                new ProcessBuilder("rm", "-rf", "--", tmp.toString()).inheritIO().start().waitFor();
            }
        }
    }

    @Test
    void aStopReachesTheChildAndAKilledParentLeavesNoChildRunning() throws Exception {
        Path functions = Files.createDirectories(junitTmp.resolve("functions"));
        Cli cli = new Cli(junitTmp);
        cli.useNewKey();

        try (Host stopped = Host.start(cli, junitTmp, "--functions", functions.toString())) {
            ProcessHandle child = childOf(stopped.handle());
            assertEquals(143, stopped.terminate(WAIT), "SIGTERM's usual exit status\n" + stopped.log());
            assertTrue(!child.isAlive(), "the child ended before its parent");
        }

        try (Host killed = Host.start(cli, junitTmp, "--functions", functions.toString())) {
            ProcessHandle child = childOf(killed.handle());
            killed.kill();
            try {
                child.onExit().get(30, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                child.destroyForcibly();
                fail("the child JVM " + child.pid() + " outlived its parent killed with SIGKILL");
            }
        }
    }

    @Test
    void aJvmStartedWithTheOptionsFileRunsTheCommandItself() throws Exception {
        Path functions = Files.createDirectories(junitTmp.resolve("functions"));
        Path options = Cli.jar().resolveSibling("jvm.options");
        Cli cli = new Cli(junitTmp).jvm("@" + options);
        cli.useNewKey();
        try (Host host = Host.start(cli, junitTmp, "--functions", functions.toString())) {
            assertEquals(List.of(), host.handle().children().toList(), "the launchers' way: one JVM, no child");
            assertEquals(143, host.terminate(WAIT), host.log());
        }
    }

    /** Runs a command through the bare jar: it must exit 0, in a bounded child JVM, within 256 MiB for both. */
    private static void measured(Path tmp, Cli cli, String... args) throws Exception {
        Path stdout = Files.createTempFile(tmp, "out", ".txt");
        Path stderr = Files.createTempFile(tmp, "err", ".txt");
        ProcessBuilder pb = cli.builder(args).redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
        List.of("JDK_JAVA_OPTIONS", "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS").forEach(pb.environment()::remove);
        long started = System.nanoTime();
        Process p = pb.start();
        PeakRss.Peaks peaks = PeakRss.watch(p, WAIT);
        String what = String.format("%s of %,d files: %.1f s, peak RSS %d MiB (java -jar) + %d MiB (its child)",
                args[0], FILES, (System.nanoTime() - started) / 1e9, peaks.processKib() / 1024,
                peaks.childKib() / 1024);
        System.out.println("BareJarMemoryIT: " + what);
        assertEquals(0, p.exitValue(), what + "\n" + Files.readString(stdout, StandardCharsets.UTF_8)
                + Files.readString(stderr, StandardCharsets.UTF_8));
        assertTrue(peaks.totalKib() <= LIMIT_KIB, what + ": over 256 MiB");
        assertTrue(peaks.processKib() > 0 && peaks.childKib() > 0, what + ": a bare JVM runs the command in a child");
    }

    private static ProcessHandle childOf(ProcessHandle parent) {
        Optional<ProcessHandle> child = parent.children().filter(c -> c.info().command().orElse("").endsWith("java"))
                .findFirst();
        assertTrue(child.isPresent(), "a bare java -jar serve runs the host in a child JVM");
        return child.get();
    }

    /** /dev/shm where it is a tmpfs with room (100,000 files cost memory there, not disk I/O), else JUnit's. */
    private Path workDir() throws IOException {
        Path shm = Path.of("/dev/shm");
        if (Files.isDirectory(shm) && Files.isWritable(shm) && Files.getFileStore(shm).getUsableSpace() > (4L << 30)) {
            return Files.createTempDirectory(shm, "firesafe-bare-");
        }
        return junitTmp;
    }
}
