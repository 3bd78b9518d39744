package dev.firesafe.engine.backup;

import dev.firesafe.core.Progress;

import dev.firesafe.archive.Compression;
import dev.firesafe.crypto.MasterKey;
import dev.firesafe.plan.Plan;
import dev.firesafe.plan.Retention;
import dev.firesafe.plan.SourceSpec;
import dev.firesafe.testing.Fixtures;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #19: the same-disk WARN was logged at every run, so a function host with {@code every: 1m} said it every
 * minute. Once per process, then again only when it changes.
 */
class SameDiskNoteTest {

    @TempDir
    Path tmp;

    private final List<String> warnings = new CopyOnWriteArrayList<>();
    private final Logger log = Logger.getLogger(BackupService.class.getName());
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
                warnings.add(r instanceof ExtLogRecord e ? e.getFormattedMessage() : r.getMessage());
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void listen() {
        log.addHandler(capture);
    }

    @AfterEach
    void stopListening() {
        log.removeHandler(capture);
    }

    private long sameDisk() {
        return warnings.stream().filter(w -> w.contains("same disk")).count();
    }

    @Test
    void theSameDiskNoteIsLoggedOnceAndAgainOnlyWhenItChanges() throws IOException {
        Path data = Files.createDirectories(tmp.resolve("data"));
        Files.writeString(data.resolve("a.txt"), "a");
        BackupService service = Fixtures.backupService(MasterKey.generate(65536), tmp);
        Plan plan = new Plan("timer", List.of(SourceSpec.of(data.toString())),
                List.of(tmp.resolve("backups").toString()), Compression.ZSTD, Retention.KEEP_ALL);

        for (int run = 0; run < 3; run++) {
            assertTrue(service.run(plan, Progress.NONE).ok());
        }
        assertEquals(1, sameDisk(), "three runs, one note: " + warnings);

        Plan moreTargets = new Plan("timer", plan.sources(), List.of(tmp.resolve("backups").toString(),
                tmp.resolve("second").toString()), Compression.ZSTD, Retention.KEEP_ALL);
        assertTrue(service.run(moreTargets, Progress.NONE).ok());
        assertTrue(service.run(moreTargets, Progress.NONE).ok());
        assertEquals(2, sameDisk(), "a changed note is said once more: " + warnings);

        Plan other = new Plan("other", plan.sources(), plan.targets(), Compression.ZSTD, Retention.KEEP_ALL);
        assertTrue(service.run(other, Progress.NONE).ok());
        assertEquals(3, sameDisk(), "every plan's own note is said: " + warnings);
    }
}
