package dev.firesafe.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real file system that fills up: a tmpfs of a given size, mounted for one test and unmounted after it. Needs
 * root and permission to mount (as in CI); elsewhere the test is skipped with that reason.
 */
public final class SmallDisk implements AutoCloseable {

    private final Path root;

    private SmallDisk(Path root) {
        this.root = root;
    }

    public static SmallDisk mount(Path where, int bytes) throws IOException, InterruptedException {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to mount a small tmpfs");
        Path root = Files.createDirectories(where);
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + bytes, "tmpfs", root.toString())
                .redirectErrorStream(true).start();
        String why = new String(mount.getInputStream().readAllBytes());
        assumeTrue(mount.waitFor() == 0, "cannot mount a tmpfs here (an unprivileged container?): " + why);
        return new SmallDisk(root);
    }

    public Path root() {
        return root;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        Process umount = new ProcessBuilder("umount", root.toString()).redirectErrorStream(true).start();
        String why = new String(umount.getInputStream().readAllBytes());
        assertEquals(0, umount.waitFor(), "umount " + root + ": " + why);
    }
}
