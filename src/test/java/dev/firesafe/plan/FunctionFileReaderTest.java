package dev.firesafe.plan;

import dev.firesafe.core.ExitCode;
import dev.firesafe.core.FiresafeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The YAML reading of function files: text stays text, sections are checked key by key, tags make nothing. */
class FunctionFileReaderTest {

    @TempDir
    Path tmp;

    private FunctionFile read(String yaml) throws IOException {
        Path f = tmp.resolve("f.yaml");
        Files.writeString(f, yaml);
        return FunctionFileReader.read(f);
    }

    private String refused(String yaml) {
        FiresafeException e = assertThrows(FiresafeException.class, () -> read(yaml), yaml);
        assertEquals(ExitCode.USAGE, e.exitCode(), e.getMessage());
        assertTrue(e.getMessage().startsWith(tmp.resolve("f.yaml") + ": "), e.getMessage());
        return e.getMessage();
    }

    @Test
    void scalarsStayTheTextTheyWereWrittenAs() throws IOException {
        FunctionFile f = read("""
                plan:
                  sources:
                    - postgres: {host: db, port: "5433", sslmode: off, mode: all}
                    - command: pg_dump app
                      name: app.sql
                      timeout: 30
                      env: {PGCONNECT_TIMEOUT: 10, FLAG: yes}
                  targets: [/mnt/0755]
                  retention: {keep-last: 10, keep-daily: "7"}
                  before: systemctl stop app
                triggers:
                  - {type: startup, catch-up: true}
                  - type: timer
                    every: 6h
                    delay:
                """);
        FunctionFile.PostgresSection pg = f.plan().sources().get(0).postgres();
        assertEquals("off", pg.sslmode());
        assertEquals(5433, pg.port());
        FunctionFile.SourceSection cmd = f.plan().sources().get(1);
        assertEquals("30", cmd.timeout());
        assertEquals(Map.of("PGCONNECT_TIMEOUT", "10", "FLAG", "yes"), cmd.env());
        assertEquals(List.of("/mnt/0755"), f.plan().targets());
        assertEquals(10, f.plan().retention().keepLast());
        assertEquals(7, f.plan().retention().keepDaily());
        assertNull(f.plan().retention().keepWeekly());
        assertEquals(List.of("systemctl stop app"), f.plan().before());
        assertNull(f.plan().after());
        assertEquals(Boolean.TRUE, f.triggers().get(0).catchUp());
        assertEquals("6h", f.triggers().get(1).every());
        assertNull(f.triggers().get(1).delay(), "an empty value is not set");
    }

    @Test
    void everySectionNamesItsUnknownKeys() {
        assertTrue(refused("plan:\n  sources:\n    - path: /a\n      exlude: ['*.tmp']\n")
                .contains("unknown key 'exlude' in plan.sources[0]"));
        assertTrue(refused("plan:\n  retention: {keep-lats: 3}\n").contains("unknown key 'keep-lats'"));
        assertTrue(refused("plans:\n  name: x\n").contains("unknown key 'plans' (known: [plan, triggers, wal])"));
    }

    @Test
    void wrongShapesSayWhere() {
        assertTrue(refused("plan:\n  sources: /srv\n").contains("plan.sources must be a list"));
        assertTrue(refused("plan:\n  targets:\n    - {a: b}\n").contains("plan.targets[0] must be a single value"));
        assertTrue(refused("plan:\n  retention: {keep-last: many}\n")
                .contains("plan.retention.keep-last must be a whole number, not 'many'"));
        assertTrue(refused("plan: {}\ntriggers:\n  - {type: startup, catch-up: sometimes}\n")
                .contains("triggers[0].catch-up must be true or false"));
        assertTrue(refused("- just\n- a list\n").contains("the file must be a mapping"));
        assertTrue(refused("plan: [\n").contains("not a valid function file"));
    }

    @Test
    void yamlTagsCannotCreateObjects() {
        String message = refused("plan: !!java.io.File [\"/etc/passwd\"]\n");
        assertTrue(message.contains("not a valid function file"), message);
    }

    @Test
    void anEmptyFileHasNoPlan() throws IOException {
        assertNull(read("# nothing yet\n"));
    }
}
