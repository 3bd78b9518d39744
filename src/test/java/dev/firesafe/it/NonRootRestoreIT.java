package dev.firesafe.it;

import dev.firesafe.testing.AsNobody;
import dev.firesafe.testing.Cli;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A restore by a user other than root: files and folders that their own owner may not read (mode 0200, 000) come
 * back with their modes and times, not as "cannot write into the destination". Root ignores permission bits, so
 * the restore runs as "nobody" through runuser; skipped where that is impossible.
 */
class NonRootRestoreIT {

    private Path dir;

    @BeforeEach
    void setUp() throws IOException, InterruptedException {
        dir = AsNobody.sharedFolder("firesafe-nonroot-");
    }

    @AfterEach
    void cleanUp() throws IOException {
        AsNobody.delete(dir);
    }

    @Test
    void filesAndFoldersTheirOwnerMayNotReadAreRestored() throws IOException, InterruptedException {
        Path data = Files.createDirectories(dir.resolve("data"));
        Path writeOnly = Files.writeString(data.resolve("write-only.log"), "appended\n");
        Files.setPosixFilePermissions(writeOnly, PosixFilePermissions.fromString("-w-------"));
        Path closed = Files.createDirectories(data.resolve("closed"));
        Files.setPosixFilePermissions(closed, PosixFilePermissions.fromString("---------"));
        Path backups = Files.createDirectories(dir.resolve("backups"));
        Path out = Files.createDirectories(dir.resolve("out"));
        Files.setPosixFilePermissions(backups, PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rwxrwxrwx"));

        Cli root = new Cli(dir);
        String key = root.useNewKey();
        Cli.Result backup = root.run("backup", "--source", data.toString(), "--target", backups.toUri().toString());
        assertEquals(0, backup.exitCode(), backup.toString());
        assertEquals(0, new ProcessBuilder("chmod", "-R", "a+rX", backups.toString()).inheritIO().start().waitFor());

        Cli nobody = new Cli(dir).asUser("nobody").env("FIRESAFE_MASTER_KEY", key).jvm("-Djava.io.tmpdir=" + out);
        Cli.Result restore = nobody.run("restore", "latest", "--to", out.resolve("r").toString(), "--target",
                backups.toUri().toString());
        assertEquals(0, restore.exitCode(), restore.toString());
        assertEquals("-w-------", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(out.resolve("r/data/write-only.log"))));
        assertEquals("---------", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(out.resolve("r/data/closed"))));
        assertEquals(Files.getLastModifiedTime(writeOnly).toMillis() / 1000,
                Files.getLastModifiedTime(out.resolve("r/data/write-only.log")).toMillis() / 1000);
    }
}
