package dev.firesafe.it;

import dev.firesafe.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * native-build/smoke.sh, the script users run after their first native build (issue #22, point 4), run here on the
 * packaged jar as its README says ({@code smoke.sh "java -jar ..."}): it passes with the CLI as it is, stops with
 * FAIL when a restored file differs from the original, and keeps everything in its temporary folder, which it
 * removes. The JVM is given a home of its own ({@code -Duser.home}): Firesafe's per-user files (the local cache, a
 * write-only host's content key, the key file read last) must not be read or written there.
 */
class SmokeScriptIT {

    @TempDir
    Path tmp;

    private record Run(int exitCode, String output) {
    }

    private Run smoke(String command) throws IOException, InterruptedException {
        Path tmpdir = Files.createDirectories(tmp.resolve("tmpdir"));
        Path log = tmp.resolve("smoke.log");
        ProcessBuilder pb = new ProcessBuilder("bash", Path.of("native-build/smoke.sh").toAbsolutePath().toString(),
                command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("TMPDIR", tmpdir.toString());
        Process p = pb.start();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "smoke.sh did not finish");
        String output = Files.readString(log, StandardCharsets.UTF_8);
        try (Stream<Path> left = Files.list(tmpdir)) {
            assertEquals(List.of(), left.toList(), "smoke.sh left its folder behind\n" + output);
        }
        return new Run(p.exitValue(), output);
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    @Test
    void passesOnThePackagedJarAndTouchesNothingInTheUsersHome() throws Exception {
        Path home = Files.createDirectories(tmp.resolve("home"));
        Run run = smoke(java() + " -Duser.home=" + home + " -jar " + Cli.jar());
        assertEquals(0, run.exitCode(), run.output());
        assertTrue(run.output().contains("smoke: ok   restored tree = original (master key)"), run.output());
        assertTrue(run.output().contains("smoke: ok   restored tree = original (write-only)"), run.output());
        assertTrue(run.output().strip().endsWith("smoke: PASS (" + java() + " -Duser.home=" + home + " -jar "
                + Cli.jar() + ")"), run.output());
        try (Stream<Path> written = Files.walk(home)) {
            assertEquals(List.of(home), written.toList(), "smoke.sh used the user's home\n" + run.output());
        }
    }

    /** A build whose restore loses a file's mode: the script says which step and what differs, and exits 1. */
    @Test
    void failsWhenARestoredFileDiffersFromTheOriginal() throws Exception {
        Path wrapper = tmp.resolve("losing-modes.sh");
        Files.writeString(wrapper, """
                #!/bin/sh
                "%s" -Duser.home="%s" -jar "%s" "$@" || exit $?
                if [ "$1" = restore ]; then
                  while [ $# -gt 0 ]; do [ "$1" = --to ] && chmod 644 "$2/data/etc/app/private"; shift; done
                fi
                """.formatted(java(), Files.createDirectories(tmp.resolve("home")), Cli.jar()));
        Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwx------"));
        Run run = smoke(wrapper.toString());
        assertEquals(1, run.exitCode(), run.output());
        assertTrue(run.output().contains("smoke: FAIL restored tree differs from the original (master key)"),
                run.output());
        assertTrue(run.output().contains("./etc/app/private f 600"), run.output());
        assertTrue(run.output().contains("./etc/app/private f 644"), run.output());
        assertTrue(run.output().strip().endsWith("smoke: FAIL (" + wrapper + ")"), run.output());
    }
}
