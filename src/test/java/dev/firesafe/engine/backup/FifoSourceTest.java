package dev.firesafe.engine.backup;

import dev.firesafe.archive.Compression;
import dev.firesafe.core.ExitCode;
import dev.firesafe.core.Progress;
import dev.firesafe.crypto.MasterKey;
import dev.firesafe.plan.Plan;
import dev.firesafe.plan.Retention;
import dev.firesafe.plan.SourceSpec;
import dev.firesafe.testing.Fixtures;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #18, point 7: what a backup does with a FIFO (named pipe) in its source. It never opens it (a reader of a
 * FIFO without writer would wait forever), stores no entry for it and says so in a warning; the backup is complete
 * (exit 0: a FIFO holds no data to lose). Devices are treated the same (they cannot be made without root here). A
 * restore never makes one: an archive holding one is refused (engine.restore.MalformedArchiveTest).
 */
class FifoSourceTest {

    @TempDir
    Path tmp;

    @Test
    void aFifoIsSkippedWithAWarningAndTheBackupIsComplete() throws IOException, InterruptedException {
        Path source = Files.createDirectories(tmp.resolve("src"));
        Files.writeString(source.resolve("a.txt"), "a");
        Process mkfifo;
        try {
            mkfifo = new ProcessBuilder("mkfifo", source.resolve("pipe").toString()).inheritIO().start();
        } catch (IOException e) {
            Assumptions.abort("mkfifo is not installed: " + e.getMessage());
            return;
        }
        Assumptions.assumeTrue(mkfifo.waitFor() == 0, "mkfifo failed");
        MasterKey key = MasterKey.generate(65536);
        Path target = tmp.resolve("target");
        BackupResult r = Fixtures.backupService(key, tmp).run(new Plan("p", List.of(SourceSpec.of(source.toString())),
                List.of(target.toString()), Compression.ZSTD, Retention.KEEP_ALL), Progress.NONE);
        assertTrue(r.ok(), r.toString());
        assertEquals(ExitCode.OK, r.exitCode(), r.toString());
        assertTrue(r.warnings().stream().anyMatch(w -> w.path().endsWith("pipe")
                && w.problem().contains("pipe")), r.warnings().toString());
        assertEquals(1, r.files(), "only a.txt");
        Path dest = tmp.resolve("restored");
        Fixtures.restoreService(key, tmp).restore(target.toString(), r.id(), "p", dest, false, Progress.NONE);
        assertEquals("a", Files.readString(dest.resolve("src/a.txt")));
        assertFalse(Files.exists(dest.resolve("src/pipe"), LinkOption.NOFOLLOW_LINKS));
    }
}
