package dev.firesafe.it;

import dev.firesafe.testing.Cli;
import dev.firesafe.testing.PeakRss;
import dev.firesafe.testing.SmallFiles;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #18 point 2 and issue #20 point 8: memory does not grow with the number of files. A generated tree of
 * 1,000,000 small files (100 B to 1 KiB) is backed up, backed up again unchanged (incremental: nothing read),
 * restored and verified through the packaged jar under {@code -Xmx128m -XX:+UseSerialGC} (as every shipped
 * launcher runs it), and each process's peak RSS (VmHWM of
 * /proc/PID/status, read while it runs) must stay at most 256 MiB. Slow (~10 minutes on 2 cores): it runs in its
 * own Maven profile, {@code ./mvnw verify -Pmillion}, which .ci/run runs. {@code -Dfiresafe.million.files=N} runs
 * it on fewer files.
 */
@Tag("million")
class MillionFilesIT {

    private static final int FILES = Integer.getInteger("firesafe.million.files", 1_000_000);
    private static final long LIMIT_KIB = 256 * 1024;

    @TempDir
    Path junitTmp;

    /** Where the tree, the backups and the restore go (see {@link #workDir}). */
    private Path tmp;

    /** One command's outcome: exit, output, wall time and peak RSS. */
    private record Run(String what, int exitCode, String stdout, String stderr, long millis, long peakKib) {
        @Override
        public String toString() {
            return String.format("%-22s %7.1f s  peak RSS %4d MiB", what, millis / 1000.0, peakKib / 1024);
        }
    }

    @Test
    void aMillionSmallFilesBackUpRestoreAndVerifyInAtMost256MiB() throws Exception {
        tmp = workDir();
        try {
            backUpRestoreAndVerify();
        } finally {
            if (!tmp.equals(junitTmp)) {
                removeTree(tmp);
            }
        }
    }

    private void backUpRestoreAndVerify() throws Exception {
        Path source = tmp.resolve("src");
        long started = System.nanoTime();
        SmallFiles.generate(source, FILES);
        System.out.printf("MillionFilesIT: generated %,d files in %s in %.1f s%n", FILES, tmp,
                (System.nanoTime() - started) / 1e9);
        Cli cli = new Cli(tmp).jvm("-Xmx128m").jvm("-XX:+UseSerialGC").jvm("-XX:+ExitOnOutOfMemoryError");
        cli.useNewKey();
        String target = tmp.resolve("backups").toString();
        List<Run> runs = new ArrayList<>();

        Run full = run(cli, runs, "backup", "backup", "--source", source.toString(), "--target", target, "--json");
        assertTrue(full.stdout().contains("\"files\":" + FILES + ","), full.stdout());

        Run again = run(cli, runs, "backup (unchanged)", "backup", "--source", source.toString(), "--target",
                target, "--json");
        assertTrue(again.stdout().contains("\"bytesNew\":0,"), "an unchanged backup stores nothing: " + again.stdout());
        assertTrue(again.stdout().contains("\"full\":false"), again.stdout());
        removeTree(source); // room: the content can be made again to compare

        Path out = tmp.resolve("restored");
        run(cli, runs, "restore", "restore", "latest", "--to", out.toString(), "--target", target);
        Path restored = out.resolve("src");
        try (Stream<Path> files = Files.walk(restored)) {
            assertEquals(FILES, files.filter(Files::isRegularFile).count(), "every file restored");
        }
        byte[] pool = SmallFiles.pool();
        for (int i = 0; i < FILES; i += Math.max(1, FILES / 1000)) { // a sample, byte for byte
            Path relative = source.relativize(SmallFiles.file(source, i));
            assertArrayEquals(SmallFiles.content(pool, i), Files.readAllBytes(restored.resolve(relative)), relative.toString());
        }
        removeTree(out);

        run(cli, runs, "verify", "verify", "latest", "--target", target);
        run(cli, runs, "verify all", "verify", "all", "--target", target);

        System.out.println("MillionFilesIT: " + FILES + " files under -Xmx128m -XX:+UseSerialGC");
        runs.forEach(r -> System.out.println("MillionFilesIT:   " + r));
        for (Run r : runs) {
            assertTrue(r.peakKib() <= LIMIT_KIB, r + ": over 256 MiB");
        }
    }

    /**
     * A folder in /dev/shm where it is a tmpfs with room (files cost memory there, not disk I/O: on this machine's
     * disk, making and deleting two million small files took longer than the runs measured), else JUnit's.
     */
    private Path workDir() throws IOException {
        Path shm = Path.of("/dev/shm");
        if (Files.isDirectory(shm) && Files.isWritable(shm) && Files.getFileStore(shm).getUsableSpace() > (12L << 30)) {
            return Files.createTempDirectory(shm, "firesafe-million-");
        }
        return junitTmp;
    }

    /** rm -rf: a million files go several times faster than through a Java walk. */
    private static void removeTree(Path dir) throws Exception {
        Process rm = new ProcessBuilder("rm", "-rf", "--", dir.toString()).inheritIO().start();
        assertEquals(0, rm.waitFor(), "rm -rf " + dir);
    }

    /** Runs one command, polling its VmHWM every 10 ms; it must exit 0. */
    private Run run(Cli cli, List<Run> runs, String what, String... args) throws Exception {
        Path stdout = Files.createTempFile(tmp, "out", ".txt");
        Path stderr = Files.createTempFile(tmp, "err", ".txt");
        long started = System.nanoTime();
        Process p = cli.builder(args).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        long peak = PeakRss.watch(p, Duration.ofMinutes(15)).processKib();
        Run r = new Run(what, p.exitValue(), Files.readString(stdout, StandardCharsets.UTF_8),
                Files.readString(stderr, StandardCharsets.UTF_8), (System.nanoTime() - started) / 1_000_000, peak);
        assertEquals(0, r.exitCode(), what + ": exit " + r.exitCode() + "\n" + r.stdout() + r.stderr());
        assertTrue(peak > 0, what + ": no VmHWM read from /proc/" + p.pid() + "/status");
        runs.add(r);
        System.out.println("MillionFilesIT: " + r);
        return r;
    }
}
