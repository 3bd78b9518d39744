package dev.firesafe.it;

import dev.firesafe.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #18 point 1, from outside: the packaged jar in a heap too small for a backup (10-14 MiB) runs out of memory
 * and must end, never hang (before: 2 runs in 6 waited 11 minutes at 0% CPU, under -Xmx64m with 200,000 files;
 * under -Xmx12m and -Xmx16m every run hung). Without the launchers' flag the process ends by itself, non-zero; with
 * -XX:+ExitOnOutOfMemoryError (every launcher the project ships) the JVM ends it with exit 3 at the first one.
 */
class OutOfMemoryIT {

    private static final int BOUND_SECONDS = 60;

    @TempDir
    Path tmp;

    @Test
    void aBackupThatRunsOutOfMemoryEndsNonZeroWithoutTheFlag() throws Exception {
        // -Xmx14m: the heap in which the packaged jar of before this fix hung (thread dump: main waiting on a
        // stage whose thread had died), even past SIGTERM
        Outcome o = backupIn(new Cli(tmp).jvm("-Xmx14m"));
        assertNotEquals(0, o.exit, o.toString());
        assertTrue(o.stderr.contains("OutOfMemoryError"), o.toString());
    }

    @Test
    void withTheLaunchersFlagTheJvmEndsAtTheFirstOutOfMemoryError() throws Exception {
        Outcome o = backupIn(new Cli(tmp).jvm("-Xmx10m").jvm("-XX:+ExitOnOutOfMemoryError"));
        assertEquals(3, o.exit, o.toString());
        assertTrue(o.stdout.contains("Terminating due to java.lang.OutOfMemoryError"), o.toString());
    }

    private record Outcome(int exit, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + stdout + "\n--- stderr (no DEBUG lines)\n"
                    + stderr.lines().filter(l -> !l.contains("DEBUG") && !l.isBlank())
                    .reduce("", (a, b) -> a + b + "\n");
        }
    }

    /** A backup of 5,000 small files; it must end within the bound (else the test fails: that is the hang). */
    private Outcome backupIn(Cli cli) throws IOException, InterruptedException {
        cli.useNewKey(); // in the default heap
        Path source = tmp.resolve("src");
        Random random = new Random(18);
        for (int d = 0; d < 5; d++) {
            Path dir = Files.createDirectories(source.resolve("d" + d));
            for (int i = 0; i < 1000; i++) {
                byte[] content = new byte[100 + random.nextInt(925)];
                random.nextBytes(content);
                Files.write(dir.resolve("f" + i), content);
            }
        }
        Path out = tmp.resolve("out.txt");
        Path err = tmp.resolve("err.txt");
        Process p = cli.builder("backup", "--source", source.toString(), "--target", tmp.resolve("t").toString())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(BOUND_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("a backup out of memory did not end within " + BOUND_SECONDS + " s: it hangs");
        }
        return new Outcome(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }
}
