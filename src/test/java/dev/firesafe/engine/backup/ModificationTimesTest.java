package dev.firesafe.engine.backup;

import dev.firesafe.core.Progress;
import dev.firesafe.archive.Compression;
import dev.firesafe.crypto.MasterKey;
import dev.firesafe.plan.Plan;
import dev.firesafe.plan.Retention;
import dev.firesafe.plan.SourceSpec;
import dev.firesafe.testing.Fixtures;
import dev.firesafe.testing.Trees;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Modification times the JDK's own setter gets wrong without a word: after 2262-04-11 (nanoseconds overflow a
 * long; it set that day instead) and before 1970 with a fraction of a second (it set 1970-01-01).
 */
class ModificationTimesTest {

    @TempDir
    Path tmp;

    private final MasterKey key = MasterKey.generate(65536);

    /** With touch: the JDK cannot set these times, which is the point. */
    private static void touch(Path p, String utc) throws IOException, InterruptedException {
        Process touch = new ProcessBuilder("touch", "-h", "-d", utc, p.toString()).inheritIO().start();
        assertEquals(0, touch.waitFor(), "touch " + utc);
    }

    private static Instant mtime(Path p) throws IOException {
        return Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toInstant();
    }

    @Test
    void timesBefore1970AndAfter2262ComeBack() throws IOException, InterruptedException {
        Path src = tmp.resolve("src");
        Trees.write(src.resolve("future"), "f".getBytes(), "rw-r--r--");
        Trees.write(src.resolve("before-1970"), "b".getBytes(), "rw-r--r--");
        Trees.write(src.resolve("1960"), "s".getBytes(), "rw-r--r--");
        Files.createDirectory(src.resolve("future-dir"));
        Files.createSymbolicLink(src.resolve("old-link"), Path.of("1960"));
        touch(src.resolve("future"), "2300-01-01 12:00:00.123 UTC");
        touch(src.resolve("before-1970"), "1969-12-31 23:59:59.5 UTC");
        touch(src.resolve("1960"), "1960-01-01 00:00:00.25 UTC");
        touch(src.resolve("future-dir"), "2300-06-01 00:00:00 UTC");
        touch(src.resolve("old-link"), "1969-12-31 23:59:58.75 UTC");
        assertEquals(Instant.parse("2300-01-01T12:00:00.123Z"), mtime(src.resolve("future")), "this file system");

        Path target = tmp.resolve("target");
        Plan plan = new Plan("times", List.of(SourceSpec.of(src.toString())), List.of(target.toString()),
                Compression.ZSTD, Retention.KEEP_ALL);
        assertTrue(Fixtures.backupService(key, tmp).run(plan, Progress.NONE).ok());
        Path out = tmp.resolve("out");
        Fixtures.restoreService(key, tmp).restore(target.toString(), "latest", null, out, false, Progress.NONE);

        assertEquals(Instant.parse("2300-01-01T12:00:00.123Z"), mtime(out.resolve("src/future")));
        assertEquals(Instant.parse("2300-06-01T00:00:00Z"), mtime(out.resolve("src/future-dir")));
        // before 1970 only whole seconds can be set (the second the time lies in), never 1970 itself
        assertEquals(Instant.parse("1969-12-31T23:59:59Z"), mtime(out.resolve("src/before-1970")));
        assertEquals(Instant.parse("1960-01-01T00:00:00Z"), mtime(out.resolve("src/1960")));
        assertEquals(Instant.parse("1969-12-31T23:59:58Z"), mtime(out.resolve("src/old-link")));
    }
}
