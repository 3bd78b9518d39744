package dev.firesafe.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.firesafe.testing.Cli;
import dev.firesafe.testing.Trees;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `drill` on the packaged jar (issue #7): exit codes, JSON, scratch folder removed, write-only refusal. */
class DrillCliIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private static String lastLine(String s) {
        String[] lines = s.strip().split("\n");
        return lines[lines.length - 1].strip();
    }

    /** Scratch folders of drills left in {@code scratch} (other tools' temp files there do not count). */
    private List<Path> scratchLeft(Path scratch) throws IOException {
        try (Stream<Path> all = Files.list(scratch)) {
            return all.filter(p -> p.getFileName().toString().startsWith("firesafe-drill")).toList();
        }
    }

    @Test
    void drillPassesFailsWithExitCodesAndCleansUp() throws IOException {
        Path scratch = Files.createDirectories(tmp.resolve("scratch"));
        Cli cli = new Cli(tmp).jvm("-Djava.io.tmpdir=" + scratch);
        cli.env("FIRESAFE_MASTER_KEY", lastLine(cli.run("keygen").stdout()));
        Path source = Trees.everyKind(tmp.resolve("data"));
        String target = tmp.resolve("backups").toUri().toString();
        Cli.Result backup = cli.run("backup", "--source", source.toString(), "--target", target);
        assertEquals(0, backup.exitCode(), backup.toString());

        Cli.Result passed = cli.run("drill", "--target", target, "--json");
        assertEquals(0, passed.exitCode(), passed.toString());
        JsonNode r = JSON.readTree(passed.stdout());
        assertTrue(r.get("ok").asBoolean());
        assertEquals(Trees.regularFiles(source), r.get("targets").get(0).get("files").asLong());
        assertTrue(r.get("targets").get(0).get("restoreMs").asLong() > 0);
        assertEquals(List.of(), scratchLeft(scratch));

        Path file;
        try (Stream<Path> files = Files.walk(tmp.resolve("backups"))) {
            file = files.filter(p -> p.toString().endsWith(".firesafe")).findFirst().orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 100] ^= 0x40;
        Files.write(file, bytes);
        Cli.Result failed = cli.run("drill", "--target", target);
        assertEquals(4, failed.exitCode(), failed.toString());
        assertTrue(failed.stdout().contains("FAILED"), failed.toString());
        assertEquals(List.of(), scratchLeft(scratch));
    }

    @Test
    void writeOnlyHostIsToldItNeedsThePrivateKey() throws IOException {
        Cli cli = new Cli(tmp);
        Path recovery = tmp.resolve("recovery.key");
        Cli.Result keygen = cli.run("keygen", "--write-only", "--out", recovery.toString());
        assertEquals(0, keygen.exitCode(), keygen.toString());
        String publicKey = lastLine(keygen.stdout());
        cli.env("FIRESAFE_PUBLIC_KEY", publicKey);
        Path source = Trees.everyKind(tmp.resolve("data"));
        String target = tmp.resolve("backups").toUri().toString();
        assertEquals(0, cli.run("backup", "--source", source.toString(), "--target", target).exitCode());

        Cli.Result refused = cli.run("drill", "--target", target);
        assertEquals(3, refused.exitCode(), refused.toString());
        assertTrue(refused.stderr().contains("private recovery key"), refused.toString());
        assertFalse(refused.all().contains(Files.readString(recovery).strip()), "no key text");

        cli.env("FIRESAFE_MASTER_KEY_FILE", recovery.toString());
        Cli.Result passed = cli.run("drill", "--target", target);
        assertEquals(0, passed.exitCode(), passed.toString());
    }
}
