package dev.firesafe.it;

import dev.firesafe.testing.Cli;
import dev.firesafe.testing.Functions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #19: a backup stopped by SIGTERM (systemctl stop, docker stop, Ctrl-C) printed nothing and left a hidden
 * partial of 131 MB in the local target; one killed with kill -9 left one that neither the next backup nor prune
 * removed. The backups here hold open on a command source ({@link Functions#writeHeld}) until the test releases it.
 */
class StoppedBackupIT {

    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path tmp;

    private Cli cli;
    private Path control;
    private Path target;

    @BeforeEach
    void setUp() throws IOException {
        cli = new Cli(tmp);
        cli.useNewKey();
        control = tmp.resolve("held");
        target = tmp.resolve("backups");
        Functions.writeHeld(tmp.resolve("functions"), "held", control, target, "");
    }

    @AfterEach
    void release() throws IOException {
        Functions.release(control); // ends the held commands a killed backup left behind
    }

    private Process start(String name) throws IOException {
        return cli.builder("backup", "--plan", "held").redirectOutput(tmp.resolve(name + ".out").toFile())
                .redirectError(tmp.resolve(name + ".err").toFile()).start();
    }

    private String stderr(String name) throws IOException {
        return Files.readString(tmp.resolve(name + ".err"), StandardCharsets.UTF_8);
    }

    private static void await(Process p, BooleanSupplier condition, String what) throws InterruptedException {
        Instant deadline = Instant.now().plus(WAIT);
        while (!condition.getAsBoolean()) {
            assertTrue(p.isAlive() || condition.getAsBoolean(), "the backup ended before " + what);
            assertTrue(Instant.now().isBefore(deadline), "timed out waiting for " + what);
            p.waitFor(50, TimeUnit.MILLISECONDS); // returns early if the process ends
        }
    }

    /** Every file in the plan's folder of the target, hidden ones included. */
    private List<String> files() throws IOException {
        Path dir = target.resolve("held");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> all = Files.list(dir)) {
            return all.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    private List<String> partials() throws IOException {
        return files().stream().filter(f -> f.endsWith(".partial")).toList();
    }

    @Test
    void aBackupStoppedBySigtermSaysSoAndLeavesNoPartial() throws Exception {
        Process backup = start("stopped");
        await(backup, () -> Functions.started(control) == 1, "the held command source");
        assertEquals(1, partials().size(), "the upload is under way: " + files());

        backup.destroy(); // SIGTERM
        assertTrue(backup.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS));

        assertEquals(143, backup.exitValue(), "the usual exit status of a process stopped by SIGTERM");
        String err = stderr("stopped");
        assertTrue(err.contains("STOPPED") && err.contains("no backup was made")
                && err.contains("partial upload was removed"), err);
        assertEquals(List.of(), files(), "no partial, no owner file, no backup");
    }

    @Test
    void aKilledBackupsPartialIsSweptButARunningOnesNever() throws Exception {
        Process killed = start("killed");
        await(killed, () -> Functions.started(control) == 1, "the first held command source");
        List<String> left = partials();
        assertEquals(1, left.size(), files().toString());
        killed.destroyForcibly(); // kill -9: no shutdown hook runs
        assertTrue(killed.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertEquals(left, partials(), "kill -9 leaves the partial behind");

        Process running = start("running");
        await(running, () -> Functions.started(control) == 2, "the second held command source");
        List<String> now = partials();
        assertEquals(1, now.size(), files().toString());
        assertFalse(now.equals(left), "the dead backup's partial was swept by the next backup: " + files());

        Cli.Result prune = cli.run("prune", "--plan", "held");
        assertEquals(0, prune.exitCode(), prune.toString());
        assertEquals(now, partials(), "prune never removes the partial of a backup that is running");

        Functions.release(control);
        assertTrue(running.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertEquals(0, running.exitValue(), stderr("running"));
        assertTrue(stderr("running").contains("removed the partial upload " + left.get(0)), stderr("running"));
        assertEquals(1, Functions.backups(target, "held"));
        assertEquals(List.of(), partials(), files().toString());
        assertEquals(1, files().size(), "only the backup itself: " + files());
        // issue #20: nothing the killed backup wrote is referenced by the next one
        Cli.Result verified = cli.run("verify", "all", "--plan", "held");
        assertEquals(0, verified.exitCode(), verified.toString());
    }

    @Test
    void pruneSweepsAKilledBackupsPartial() throws Exception {
        Process killed = start("killed");
        await(killed, () -> Functions.started(control) == 1, "the held command source");
        killed.destroyForcibly();
        assertTrue(killed.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertEquals(1, partials().size(), files().toString());

        Cli.Result prune = cli.run("prune", "--plan", "held");
        assertEquals(0, prune.exitCode(), prune.toString());
        assertEquals(List.of(), files(), "prune removed the partial and its owner file");
    }
}
