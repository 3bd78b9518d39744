package dev.firesafe.cli;

import dev.firesafe.core.ExitCode;
import dev.firesafe.core.FiresafeException;
import dev.firesafe.engine.backup.BackupStoppedException;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ErrorReportTest {

    private final StringWriter err = new StringWriter();
    private final CommandLine cmd = new CommandLine(CommandLine.Model.CommandSpec.create())
            .setErr(new PrintWriter(err, true));

    @Test
    void aFailureIsPrintedOnceWithItsExitCode() {
        int exit = CliSetup.report(FiresafeException.usage("no such plan 'x'"), cmd, null);
        assertEquals(ExitCode.USAGE.code, exit);
        assertEquals("firesafe: no such plan 'x'" + System.lineSeparator(), err.toString());
    }

    /** Ctrl-C during a backup printed the stop twice: the stop hook's line (with the id) and this one. */
    @Test
    void aStoppedBackupIsLeftToItsStopHooksLine() {
        int exit = CliSetup.report(new BackupStoppedException("default"), cmd, null);
        assertEquals(ExitCode.FAILURE.code, exit);
        assertEquals("", err.toString());
    }
}
