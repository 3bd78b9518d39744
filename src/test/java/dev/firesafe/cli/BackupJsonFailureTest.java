package dev.firesafe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.firesafe.core.ExitCode;
import dev.firesafe.core.FiresafeException;
import dev.firesafe.crypto.MasterKey;
import dev.firesafe.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #18, point 7: {@code backup --json} printed nothing when every target failed; a script reading stdout got
 * no object at all. It prints the result with the failure (and the command still ends with its exit code).
 */
class BackupJsonFailureTest {

    @TempDir
    Path tmp;

    @Test
    void everyTargetFailingStillPrintsTheJsonResult() throws IOException {
        Path source = Files.createDirectories(tmp.resolve("src"));
        Files.writeString(source.resolve("a.txt"), "a");
        Path blocked = tmp.resolve("blocked");
        Files.writeString(blocked, "a file where the target folder should be");
        Path blocked2 = tmp.resolve("blocked2");
        Files.writeString(blocked2, "another");
        BackupCommand backup = new BackupCommand(Fixtures.services(Fixtures.appConfig(MasterKey.generate(65536),
                tmp.resolve("app"))));
        backup.sources = List.of(source.toString());
        backup.targets = List.of(blocked.resolve("t").toString(), blocked2.resolve("t").toString());
        backup.json = true;
        backup.planName = "default";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        FiresafeException e;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            e = assertThrows(FiresafeException.class, backup::call);
        } finally {
            System.setOut(stdout);
        }
        assertEquals(ExitCode.TARGET, e.exitCode(), e.getMessage());
        String printed = out.toString(StandardCharsets.UTF_8).strip();
        assertFalse(printed.isEmpty(), "one JSON object on stdout");
        JsonNode json = new ObjectMapper().readTree(printed);
        assertFalse(json.get("ok").asBoolean(), printed);
        assertEquals("default", json.get("plan").asText(), printed);
        assertEquals(ExitCode.TARGET.code, json.get("exitCode").asInt(), printed);
        assertTrue(json.get("error").asText().contains("no target can be written"), printed);
        assertEquals(2, json.get("targets").size(), printed);
        for (JsonNode t : json.get("targets")) {
            assertFalse(t.get("ok").asBoolean(), printed);
            assertTrue(t.get("target").asText().contains("blocked"), printed);
        }
    }
}
