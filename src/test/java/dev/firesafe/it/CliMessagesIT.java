package dev.firesafe.it;

import dev.firesafe.testing.Cli;
import dev.firesafe.testing.Trees;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue #19, point 12: what a new user read that was wrong, on the packaged jar. */
class CliMessagesIT {

    @TempDir
    Path tmp;

    private Cli cli;
    private String target;

    @BeforeEach
    void setUp() throws IOException {
        cli = new Cli(tmp);
        cli.useNewKey();
        Trees.write(tmp.resolve("data/only.txt"), "one file\n".getBytes(), "rw-r--r--");
        target = tmp.resolve("backups").toUri().toString();
        Cli.Result backup = cli.run("backup", "--source", tmp.resolve("data").toString(), "--target", target);
        assertEquals(0, backup.exitCode(), backup.toString());
        assertTrue(backup.stdout().contains(": 1 file (0 unchanged, not read), ") && !backup.stdout().contains("1 files"),
                backup.toString());
    }

    @Test
    void aTypoInAnOptionNameIsReportedAsUnknownNotAsAMissingOption() {
        Cli.Result typo = cli.run("restore", "latest", "--too", tmp.resolve("out").toString(), "--target", target);
        assertEquals(2, typo.exitCode(), typo.toString());
        assertTrue(typo.stderr().contains("Unknown option") && typo.stderr().contains("'--too'")
                && typo.stderr().contains("Possible solutions: --to"), typo.toString());
        assertFalse(typo.stderr().contains("Missing required option"), typo.toString());
        assertFalse(Files.exists(tmp.resolve("out")));

        Cli.Result missing = cli.run("restore", "latest", "--target", target);
        assertEquals(2, missing.exitCode(), missing.toString());
        assertTrue(missing.stderr().contains("Missing required option: '--to=DIR'"), missing.toString());
    }

    @Test
    void oneFileIsOneFile() {
        Cli.Result verify = cli.run("verify", "latest", "--target", target);
        assertEquals(0, verify.exitCode(), verify.toString());
        Cli.Result restore = cli.run("restore", "latest", "--to", tmp.resolve("out").toString(), "--target", target);
        assertEquals(0, restore.exitCode(), restore.toString());
        Cli.Result drill = cli.run("drill", "--target", target);
        assertEquals(0, drill.exitCode(), drill.toString());
        for (Cli.Result r : new Cli.Result[] {verify, restore, drill}) {
            assertTrue(r.stdout().contains(" 1 file, ") && !r.stdout().contains("1 files"), r.toString());
        }
    }

    @Test
    void aFailedDrillIsReportedOnce() throws IOException {
        Path backup;
        try (Stream<Path> files = Files.walk(tmp.resolve("backups"))) {
            backup = files.filter(f -> f.toString().endsWith(".firesafe")).findFirst().orElseThrow();
        }
        try (RandomAccessFile f = new RandomAccessFile(backup.toFile(), "rw")) {
            long middle = f.length() / 2;
            f.seek(middle);
            int b = f.read();
            f.seek(middle);
            f.write(b ^ 0x40);
        }

        Cli.Result drill = cli.run("drill", "--target", target);

        assertEquals(4, drill.exitCode(), drill.toString());
        assertEquals(1, drill.all().lines().filter(l -> l.contains("FAILED") && l.contains(target)).count(),
                "one line for the failed target, not a log line besides it: " + drill);
    }
}
