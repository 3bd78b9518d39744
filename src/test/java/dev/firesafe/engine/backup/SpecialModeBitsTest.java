package dev.firesafe.engine.backup;

import dev.firesafe.core.Progress;
import dev.firesafe.archive.Compression;
import dev.firesafe.crypto.MasterKey;
import dev.firesafe.plan.Plan;
import dev.firesafe.plan.Retention;
import dev.firesafe.plan.SourceSpec;
import dev.firesafe.engine.restore.RestoreOptions;
import dev.firesafe.engine.restore.RestoreResult;
import dev.firesafe.testing.Fixtures;
import dev.firesafe.testing.Trees;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Setuid, setgid and sticky bits: the four octal digits the manifest records come back, not only the last three. */
class SpecialModeBitsTest {

    @TempDir
    Path tmp;

    private final MasterKey key = MasterKey.generate(65536);

    private static int mode(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
    }

    private static void chmod(Path p, int mode) throws IOException {
        Files.setAttribute(p, "unix:mode", mode);
    }

    /** A full restore, or with {@code include} patterns a partial one (restore --include). */
    private RestoreResult backupAndRestore(Path source, Path out, String... include) {
        Path target = tmp.resolve("target");
        Plan plan = new Plan("bits", List.of(SourceSpec.of(source.toString())), List.of(target.toString()),
                Compression.ZSTD, Retention.KEEP_ALL);
        assertTrue(Fixtures.backupService(key, tmp).run(plan, Progress.NONE).ok());
        return Fixtures.restoreService(key, tmp).restore(target.toString(), "latest", null, out,
                new RestoreOptions(false, List.of(include), false), Progress.NONE);
    }

    @Test
    void setuidSetgidAndStickyBitsComeBack() throws IOException {
        Path src = tmp.resolve("src");
        Trees.write(src.resolve("suid"), "s".getBytes(), "rwxr-xr-x");
        chmod(src.resolve("suid"), 04755);
        Trees.write(src.resolve("sgid"), "g".getBytes(), "rwxr-xr-x");
        chmod(src.resolve("sgid"), 02755);
        chmod(Files.createDirectory(src.resolve("sticky")), 01777);
        chmod(Files.createDirectory(src.resolve("shared")), 02770);
        Trees.write(src.resolve("shared/in"), "i".getBytes(), "rw-rw----");

        Path out = tmp.resolve("out");
        RestoreResult restored = backupAndRestore(src, out);

        assertEquals(04755, mode(out.resolve("src/suid")));
        assertEquals(02755, mode(out.resolve("src/sgid")));
        assertEquals(01777, mode(out.resolve("src/sticky")));
        assertEquals(02770, mode(out.resolve("src/shared")));
        assertEquals(List.of(), restored.restoreWarnings());
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void setuidOfAnotherOwnerIsDroppedWithAWarningNotGivenToTheRestoringUser(boolean partial) throws IOException {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to give a file another owner");
        Path src = tmp.resolve("src");
        Path tool = src.resolve("their-tool");
        Trees.write(tool, "t".getBytes(), "rwxr-xr-x");
        Files.setAttribute(tool, "unix:uid", 65534);
        Files.setAttribute(tool, "unix:gid", 65534);
        chmod(tool, 06755); // after chown, which clears both bits

        Path out = tmp.resolve("out");
        RestoreResult restored = partial ? backupAndRestore(src, out, "*-tool") : backupAndRestore(src, out);

        // owners are not restored: the file now belongs to root, and a setuid root copy of someone else's program
        // would hand root to whoever could write the original
        assertEquals(0755, mode(out.resolve("src/their-tool")));
        assertTrue(restored.restoreWarnings().stream().anyMatch(w -> w.startsWith("src/their-tool: ")
                && w.contains("setuid") && w.contains("setgid")), restored.restoreWarnings().toString());
    }
}
