package dev.firesafe.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.firesafe.testing.Cli;
import dev.firesafe.testing.SmallDisk;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A disk that fills up, for real: a 1 MiB tmpfs mounted for each test ({@link SmallDisk}: needs root and
 * permission to mount, as in CI; skipped with that reason elsewhere). A backup onto it fails as a target failure and leaves the previous
 * backup the latest, with no partial file; a restore or drill into it fails as a destination failure (exit 8),
 * which says the backup is not at fault, where it used to be reported as "backup could not be read", exit 1.
 */
class FullDiskIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int SMALL_DISK = 1 << 20;

    @TempDir
    Path tmp;
    private SmallDisk disk;
    private Path small;
    private Cli cli;

    @BeforeEach
    void mountSmallDisk() throws IOException, InterruptedException {
        disk = SmallDisk.mount(tmp.resolve("small-disk"), SMALL_DISK);
        small = disk.root();
        cli = new Cli(tmp);
        cli.useNewKey();
    }

    @AfterEach
    void unmount() throws IOException, InterruptedException {
        if (disk != null) {
            disk.close();
        }
    }

    private Path randomTree(String name, int bytes) throws IOException {
        Path root = Files.createDirectories(tmp.resolve(name));
        byte[] data = new byte[bytes];
        new Random(bytes).nextBytes(data); // incompressible: the archive is as large as the data
        Files.write(root.resolve("data.bin"), data);
        return root;
    }

    @Test
    void backupOntoAFullDiskFailsAndTheLastGoodBackupStaysTheLatest() throws IOException {
        String target = small.resolve("repo").toUri().toString();
        Path fits = randomTree("fits", 100 << 10);
        Cli.Result first = cli.run("backup", "--source", fits.toString(), "--target", target, "--json");
        assertEquals(0, first.exitCode(), first.toString());
        String goodId = JSON.readTree(first.stdout()).get("id").asText();

        Cli.Result tooBig = cli.run("backup", "--source", randomTree("too-big", 3 * SMALL_DISK).toString(),
                "--target", target);
        assertEquals(5, tooBig.exitCode(), tooBig.toString());
        assertTrue(tooBig.stderr().contains("No space left on device"), tooBig.toString());

        try (Stream<Path> files = Files.walk(small)) {
            List<Path> left = files.filter(Files::isRegularFile).toList();
            assertEquals(1, left.size(), "only the good backup, no partial file: " + left);
        }
        Cli.Result list = cli.run("list", "--target", target, "--json");
        JsonNode backups = JSON.readTree(list.stdout()).get("backups");
        assertEquals(1, backups.size(), list.toString());
        assertEquals(goodId, backups.get(0).get("id").asText());
        Path out = tmp.resolve("out");
        Cli.Result restore = cli.run("restore", "latest", "--to", out.toString(), "--target", target);
        assertEquals(0, restore.exitCode(), restore.toString());
        assertArrayEquals(Files.readAllBytes(fits.resolve("data.bin")),
                Files.readAllBytes(out.resolve("fits/data.bin")));
    }

    /** A backup on an ordinary disk of three times what the small disk holds; its target URI. */
    private String backupLargerThanTheSmallDisk() throws IOException {
        String target = tmp.resolve("repo").toUri().toString();
        Cli.Result backup = cli.run("backup", "--source", randomTree("big", 3 * SMALL_DISK).toString(), "--target",
                target);
        assertEquals(0, backup.exitCode(), backup.toString());
        return target;
    }

    @Test
    void restoreIntoAFullDiskIsADestinationFailureNotABadBackup() throws IOException {
        String target = backupLargerThanTheSmallDisk();

        Path dest = small.resolve("restored");
        Cli.Result restore = cli.run("restore", "latest", "--to", dest.toString(), "--target", target);
        assertEquals(8, restore.exitCode(), restore.toString());
        assertTrue(restore.stderr().contains("No space left on device"), restore.toString());
        assertTrue(restore.stderr().contains("cannot write into " + dest), restore.toString());
        assertTrue(restore.stderr().contains("--sparse if the backup holds sparse files"), restore.toString());
        assertFalse(restore.stderr().contains("could not be read"), "the backup is not at fault: " + restore);
        assertTrue(restore.stderr().contains("INCOMPLETE"), restore.toString());
        assertTrue(Files.exists(dest.resolve("FIRESAFE-RESTORE-INCOMPLETE.txt")),
                "the note written before the first entry is still there");

        Cli.Result verify = cli.run("verify", "latest", "--target", target);
        assertEquals(0, verify.exitCode(), verify.toString());
    }

    @Test
    void drillWithAFullScratchDiskIsADestinationFailureNotABadBackup() throws IOException {
        String target = backupLargerThanTheSmallDisk();

        Cli.Result drill = cli.env("FIRESAFE_DRILL_SCRATCH_DIR", small.toString()).run("drill", "--target", target);
        assertEquals(8, drill.exitCode(), drill.toString());
        assertTrue(drill.all().contains("No space left on device"), drill.toString());
        try (Stream<Path> left = Files.list(small)) {
            assertEquals(List.of(), left.toList(), "the scratch folder is removed after a failed drill");
        }
    }
}
