package dev.firesafe.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue #19: every command answers --help and -h with its usage and exit 0, and `help CMD` works. */
class HelpTest {

    private record Run(int exit, String out, String err) {
    }

    private static Run run(String... args) {
        PrintStream saved = System.out;
        PrintStream savedErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            return new Run(LeanLaunch.run(args).exitCode().orElseThrow(), out.toString(StandardCharsets.UTF_8),
                    err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(saved);
            System.setErr(savedErr);
        }
    }

    @Test
    void aCommandLineThatNamesACommandBuildsOnlyThatOneAndEveryOtherLineKnowsThemAll() {
        assertEquals(java.util.List.of(BackupCommand.class), CliSetup.reachable("backup", "--bogus"));
        assertEquals(java.util.List.of(WalFetchCommand.class), CliSetup.reachable("wal-fetch", "x", "y"));
        for (String[] line : new String[][] {{}, {"--help"}, {"help", "backup"}, {"backupp"}, {"-V", "backup"}}) {
            assertEquals(FiresafeCommand.SUBCOMMANDS, CliSetup.reachable(line), String.join(" ", line));
        }
        Run typo = run("backupp");
        assertEquals(2, typo.exit());
        assertTrue(typo.err().contains("Did you mean: firesafe backup?"), typo.err());
        Run list = run("--help");
        for (String command : new String[] {"init", "keygen", "backup", "wal-fetch", "help"}) {
            assertTrue(list.out().contains("\n  " + command + " "), command + " listed:\n" + list.out());
        }
    }

    @Test
    void everyCommandAnswersHelpWithItsUsage() {
        for (String command : new String[] {"init", "keygen", "backup", "list", "verify", "restore", "prune", "serve",
            "run-function", "drill", "wal-push", "wal-fetch"}) {
            for (String flag : new String[] {"--help", "-h"}) {
                Run r = run(command, flag);
                assertEquals(0, r.exit(), command + " " + flag);
                assertTrue(r.out().startsWith("Usage: firesafe " + command), command + " " + flag + ": " + r.out());
                // a '%' picocli cannot format (archive_command's %p) made it warn on stderr and print raw text
                assertEquals("", r.err(), command + " " + flag);
            }
        }
    }

    @Test
    void theWalCommandsShowPostgresqlsPlaceholders() {
        assertTrue(run("wal-push", "--help").out().replaceAll("\\s+", " ")
                .contains("archive_command = 'firesafe wal-push %p'"));
        assertTrue(run("wal-fetch", "--help").out().replaceAll("\\s+", " ").contains("'firesafe wal-fetch %f %p'"));
    }

    @Test
    void helpNamesACommand() {
        Run r = run("help", "backup");
        assertEquals(0, r.exit());
        assertTrue(r.out().startsWith("Usage: firesafe backup"), r.out());
    }

    /** 'help NOSUCH' was an internal error (exit 1, "please report it"): picocli names the command only then. */
    @Test
    void helpOfAnUnknownCommandIsAUsageError() {
        Run r = run("help", "nosuch");
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("Unknown subcommand 'nosuch'"), r.err());
        assertTrue(!r.err().contains("please report it"), r.err()); // not an internal error
    }

    @Test
    void aRequiredParameterDoesNotHideTheHelp() {
        Run r = run("run-function", "--help");
        assertEquals(0, r.exit());
        assertTrue(r.out().contains("NAME"), r.out());
    }
}
