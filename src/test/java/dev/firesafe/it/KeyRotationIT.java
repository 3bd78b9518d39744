package dev.firesafe.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.firesafe.crypto.KeyIds;
import dev.firesafe.crypto.MasterKey;
import dev.firesafe.testing.Cli;
import dev.firesafe.testing.Trees;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #19: rotating the key file that serve, timers and cron read. The environment route changed one shell,
 * {@code --out} refused the existing file, and {@code keygen --rotate > master.key} emptied it.
 */
class KeyRotationIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private Cli cli;
    private Path keyFile;
    private String target;

    @BeforeEach
    void setUp() throws IOException {
        cli = new Cli(tmp);
        Cli.Result init = cli.run("init");
        assertEquals(0, init.exitCode(), init.toString());
        keyFile = tmp.resolve("home/.config/firesafe/master.key");
        assertTrue(Files.isRegularFile(keyFile), init.toString());
        Trees.write(tmp.resolve("data/a.txt"), "a\n".getBytes(), "rw-r--r--");
        target = tmp.resolve("backups").toUri().toString();
    }

    private String backup() throws IOException {
        Cli.Result r = cli.run("backup", "--source", tmp.resolve("data").toString(), "--target", target, "--json");
        assertEquals(0, r.exitCode(), r.toString());
        return JSON.readTree(r.stdout()).get("id").asText();
    }

    private String keyIdOf(String id) throws IOException {
        Cli.Result list = cli.run("list", "--target", target, "--json");
        assertEquals(0, list.exitCode(), list.toString());
        for (JsonNode b : JSON.readTree(list.stdout()).get("backups")) {
            if (b.get("id").asText().equals(id)) {
                return b.get("keyId").asText();
            }
        }
        throw new AssertionError(id + " not listed: " + list);
    }

    private List<Path> previousFiles() throws IOException {
        try (Stream<Path> files = Files.list(keyFile.getParent())) {
            return files.filter(f -> f.getFileName().toString().startsWith("master.key.previous-")).sorted().toList();
        }
    }

    @Test
    void rotateInPlaceReplacesTheKeyFileAndKeepsThePreviousOne() throws IOException {
        String before = backup();
        byte[] oldBytes = Files.readAllBytes(keyFile);
        MasterKey old = MasterKey.parse(new String(oldBytes), "old");

        Cli.Result rotate = cli.run("keygen", "--rotate", "--in-place");
        assertEquals(0, rotate.exitCode(), rotate.toString());
        assertEquals("", rotate.stdout(), "the key is not printed: it went to the file");
        assertTrue(rotate.stderr().contains("ESCROW THIS KEY NOW"), rotate.toString());
        MasterKey rotated = MasterKey.parse(Files.readString(keyFile), "rotated");
        assertEquals(2, rotated.keyIds().size());
        assertTrue(rotated.keyIds().contains(old.primaryKeyId()), "the old key stays in the set");
        assertTrue(rotate.stderr().contains(KeyIds.format(rotated.primaryKeyId())), rotate.toString());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)));
        List<Path> previous = previousFiles();
        assertEquals(1, previous.size(), previous.toString());
        assertArrayEquals(oldBytes, Files.readAllBytes(previous.get(0)), "the previous file is the old one, whole");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(previous.get(0))));
        assertTrue(rotate.stderr().contains(previous.get(0).toString()), rotate.toString());
        try (Stream<Path> files = Files.list(keyFile.getParent())) {
            assertEquals(2, files.count(), "no temporary file is left beside the key");
        }

        String after = backup(); // the default key file, as serve and timers read it
        assertEquals(KeyIds.format(rotated.primaryKeyId()), keyIdOf(after), "new backups use the new key");
        assertEquals(KeyIds.format(old.primaryKeyId()), keyIdOf(before));
        Cli.Result verify = cli.run("verify", "all", "--target", target);
        assertEquals(0, verify.exitCode(), "the rotated file reads the old backup and the new one: " + verify);

        // naming the key file in use with --out is the same rotation, no longer a refusal
        Cli.Result again = cli.run("keygen", "--rotate", "--out", keyFile.toString());
        assertEquals(0, again.exitCode(), again.toString());
        assertEquals(3, MasterKey.parse(Files.readString(keyFile), "again").keyIds().size());
        assertEquals(2, previousFiles().size());
    }

    @Test
    void rotateInPlaceNeedsAFileAndOutRefusesAnotherExistingFile() throws IOException {
        Path other = Files.writeString(tmp.resolve("other.key"), "something else\n");
        Cli.Result refused = cli.run("keygen", "--rotate", "--out", other.toString());
        assertEquals(2, refused.exitCode(), refused.toString());
        assertTrue(refused.stderr().contains("--in-place"), refused.toString());
        assertEquals("something else\n", Files.readString(other));

        Cli.Result noRotate = cli.run("keygen", "--in-place");
        assertEquals(2, noRotate.exitCode(), noRotate.toString());

        String key = Files.readString(keyFile).strip();
        Cli.Result fromEnv = cli.env("FIRESAFE_MASTER_KEY", key).run("keygen", "--rotate", "--in-place");
        assertEquals(2, fromEnv.exitCode(), fromEnv.toString());
        assertTrue(fromEnv.stderr().contains("FIRESAFE_MASTER_KEY"), fromEnv.toString());
        assertFalse(fromEnv.all().contains(key), "the key is never printed in an error");
        assertEquals(key, Files.readString(keyFile).strip(), "the key file is untouched");
    }

    /** What {@code keygen --rotate > master.key} leaves: the shell emptied the file before keygen read it. */
    @Test
    void anEmptiedKeyFileIsReportedAsEmpty() throws IOException {
        Files.write(keyFile, new byte[0]);
        Cli.Result r = cli.run("keygen", "--rotate");
        assertEquals(3, r.exitCode(), r.toString());
        assertTrue(r.stderr().contains("key file " + keyFile + " is empty"), r.toString());
        assertFalse(r.stderr().contains("recovery keys"), r.toString());
    }
}
