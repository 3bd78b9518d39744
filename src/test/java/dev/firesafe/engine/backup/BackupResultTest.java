package dev.firesafe.engine.backup;

import dev.firesafe.core.ExitCode;
import dev.firesafe.archive.Manifest;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** When a finished backup counts as a success: every target has it, and nothing the plan names is missing. */
class BackupResultTest {

    private static BackupResult result(boolean targetOk, Manifest.Warning... warnings) {
        return new BackupResult("20261125T000000.000Z-00000001", "p", 10, 20, 1, 5, "zstd",
                List.of(new BackupResult.TargetResult("file:///t/", "p/x.firesafe", targetOk,
                        targetOk ? null : "disk full", List.of(), null)), List.of(warnings));
    }

    @Test
    void liveDataWarningsAreStillASuccess() {
        BackupResult r = result(true, new Manifest.Warning("d/log", "changed while being read; the stored copy may "
                + "mix old and new content"), new Manifest.Warning("d/gone", "vanished before it could be read; not "
                + "stored"), new Manifest.Warning("d/sock", "is a socket, pipe or device; not stored"));
        assertEquals(ExitCode.OK, r.exitCode());
        assertNull(r.problem());
    }

    @Test
    void unreadableEntriesMakeItIncompleteAndAreNamed() {
        BackupResult r = result(true, new Manifest.Warning("d/secret", Manifest.Warning.missing("permission denied")),
                new Manifest.Warning("d/log", "changed while being read"));
        assertEquals(ExitCode.INCOMPLETE, r.exitCode());
        assertEquals(List.of("d/secret"), r.missing().stream().map(Manifest.Warning::path).toList());
        assertTrue(r.problem().contains("1 entry could not be read and is missing from it: d/secret"), r.problem());
    }

    @Test
    void aFailedTargetOutranksMissingEntries() {
        BackupResult r = result(false, new Manifest.Warning("d/secret", Manifest.Warning.missing("permission denied")));
        assertEquals(ExitCode.TARGET, r.exitCode());
        assertTrue(r.problem().startsWith("failed on"), r.problem());
    }
}
