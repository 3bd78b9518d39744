package dev.firesafe.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * For tests of what permission bits do: root ignores them, so such tests run the CLI as "nobody" through runuser
 * ({@link Cli#asUser}) and need root to do so; elsewhere they are skipped with that reason.
 */
public final class AsNobody {

    private AsNobody() {
    }

    /** A new folder under /tmp that "nobody" may enter (JUnit's @TempDir folders are private to root). */
    public static Path sharedFolder(String prefix) throws IOException, InterruptedException {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to run commands as another user");
        Process probe = new ProcessBuilder("runuser", "-u", "nobody", "--", "true").start();
        assumeTrue(probe.waitFor() == 0, "runuser -u nobody is not available");
        return Files.createTempDirectory(Path.of("/tmp"), prefix,
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    }

    /** Removes {@code dir} and everything in it (as root: whatever modes the test left). */
    public static void delete(Path dir) throws IOException {
        if (dir == null) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
