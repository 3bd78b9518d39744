package dev.firesafe.cli;

import dev.firesafe.engine.restore.VerifyAllResult;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Issue #20: verify all names a missing or damaged object with the backups it breaks. */
class VerifyAllOutputTest {

    @Test
    void eachBackupThenEachBrokenObjectWithTheBackupsItBreaks() {
        VerifyAllResult r = new VerifyAllResult("file:///t/", List.of(
                new VerifyAllResult.Backup("B", "p", false, 4, "p/A.firesafe is missing", 0, 0),
                new VerifyAllResult.Backup("C", "p", true, 0, null, 3, 3_000_000)),
                List.of(new VerifyAllResult.ObjectProblem("p/A.firesafe", "missing", List.of("B")),
                        new VerifyAllResult.ObjectProblem("p/X.g1.firesafe", "damaged: its block at 8 is damaged",
                                List.of())), 3);
        assertEquals(List.of(
                "FAILED   B  p                exit 4: p/A.firesafe is missing",
                "intact   C  p                3 files, 3.0 MB",
                "MISSING  p/A.firesafe: missing; breaks B",
                "DAMAGED  p/X.g1.firesafe: damaged: its block at 8 is damaged; no backup listed needs what it lacks",
                "1 of 2 backup(s) in file:///t/ intact (3 object(s) read, each once)"), VerifyCommand.text(r));
    }
}
