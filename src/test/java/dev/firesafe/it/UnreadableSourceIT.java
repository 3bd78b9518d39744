package dev.firesafe.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.firesafe.testing.AsNobody;
import dev.firesafe.testing.Cli;
import dev.firesafe.testing.Functions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A backup run by a user who cannot read everything the plan names is stored, but it is not a success: exit code 7
 * (INCOMPLETE), the missing entries named, and run-function (the systemd timer and CronJob path) fails the same way.
 * Root reads everything, so the commands run as "nobody" through runuser; skipped where that is impossible.
 */
class UnreadableSourceIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private Path dir;

    @BeforeEach
    void setUp() throws IOException, InterruptedException {
        dir = AsNobody.sharedFolder("firesafe-unreadable-");
    }

    @AfterEach
    void cleanUp() throws IOException {
        AsNobody.delete(dir);
    }

    private Path owned(Path p, String perms) throws IOException {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(perms));
        return p;
    }

    @Test
    void unreadableEntriesMakeTheBackupIncompleteNotSuccessful() throws IOException {
        Path data = owned(Files.createDirectories(dir.resolve("data")), "rwxr-xr-x");
        owned(Files.writeString(data.resolve("readable.txt"), "fine\n"), "rw-r--r--");
        owned(Files.writeString(data.resolve("secret.txt"), "root only\n"), "rw-------");
        Path locked = Files.createDirectories(data.resolve("locked"));
        Files.writeString(locked.resolve("inside.txt"), "root only\n");
        owned(locked, "rwx------");
        Path backups = Files.createDirectories(dir.resolve("backups"));
        Path home = Files.createDirectories(dir.resolve("home"));
        Path functions = Files.createDirectories(dir.resolve("functions"));
        Functions.write(functions, "partial", data, backups, "");
        for (Path writable : List.of(backups, home)) {
            owned(writable, "rwxrwxrwx");
        }

        Cli root = new Cli(dir);
        String key = root.useNewKey();
        Cli nobody = new Cli(dir).asUser("nobody").env("FIRESAFE_MASTER_KEY", key)
                .jvm("-Djava.io.tmpdir=" + home);

        Cli.Result backup = nobody.run("backup", "--source", data.toString(), "--target", backups.toUri().toString(),
                "--json");
        assertEquals(7, backup.exitCode(), backup.toString());
        JsonNode b = JSON.readTree(backup.stdout());
        assertTrue(b.get("ok").asBoolean(), "the backup is on its target: " + backup);
        assertEquals(List.of("data/locked", "data/secret.txt"),
                JSON.convertValue(b.get("missing"), List.class).stream().sorted().toList(), backup.toString());
        assertTrue(backup.stderr().contains("missing from it"), backup.toString());

        Cli.Result run = nobody.env("FIRESAFE_FUNCTIONS_DIR", functions.toString()).run("run-function", "partial");
        assertEquals(7, run.exitCode(), run.toString());
        assertTrue(run.stderr().contains("function partial failed") && run.stderr().contains("data/secret.txt"),
                run.toString());

        Cli.Result list = root.run("list", "--target", backups.toUri().toString(), "--json");
        assertEquals(0, list.exitCode(), list.toString());
        JsonNode listed = JSON.readTree(list.stdout()).get("backups");
        assertEquals(2, listed.size(), "both incomplete backups were stored: " + list);
        // issue #19: shown like any other before; now marked, in JSON and text, in list and verify
        listed.forEach(row -> assertTrue(row.get("incomplete").asBoolean(), list.toString()));
        Cli.Result listText = root.run("list", "--target", backups.toUri().toString());
        assertEquals(2, listText.stdout().lines().filter(l -> l.contains("INCOMPLETE")).count(), listText.toString());
        // both backups are of plan partial's sources, one filed under 'default': 'latest' needs --plan there
        Cli.Result verify = root.run("verify", "latest", "--plan", "partial", "--target",
                backups.toUri().toString());
        assertEquals(0, verify.exitCode(), "intact, if incomplete: " + verify);
        assertTrue(verify.stdout().contains("is intact") && verify.stdout().contains("but INCOMPLETE: 2 entries")
                && verify.stdout().contains("missing: data/secret.txt"), verify.toString());
        JsonNode verified = JSON.readTree(root.run("verify", "latest", "--plan", "partial", "--target",
                backups.toUri().toString(), "--json").stdout());
        assertTrue(verified.get("incomplete").asBoolean(), verified.toString());
        assertEquals(2, verified.get("missing").size(), verified.toString());
        Cli.Result all = root.run("verify", "all", "--target", backups.toUri().toString());
        assertEquals(2, all.stdout().lines().filter(l -> l.startsWith("intact") && l.contains("INCOMPLETE: 2 entries"))
                .count(), all.toString());
        Path out = dir.resolve("out");
        Cli.Result restore = root.run("restore", "latest", "--plan", "partial", "--to", out.toString(), "--target",
                backups.toUri().toString());
        assertEquals(0, restore.exitCode(), restore.toString());
        assertEquals("fine\n", Files.readString(out.resolve("data/readable.txt")));
    }
}
