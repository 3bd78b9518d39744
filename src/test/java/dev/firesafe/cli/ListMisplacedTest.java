package dev.firesafe.cli;

import dev.firesafe.core.ExitCode;
import dev.firesafe.core.FiresafeException;
import dev.firesafe.crypto.MasterKey;
import dev.firesafe.repository.BackupCatalog;
import dev.firesafe.testing.CraftedBackups;
import dev.firesafe.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #18, point 3: {@code list} (no key) compares each backup's header with where it was found; a backup of plan
 * 'web' copied into 'vault''s folder is shown as MISPLACED, and list ends with exit 4. The other checks are in
 * engine.restore.PlanFolderTest.
 */
class ListMisplacedTest {

    @TempDir
    Path tmp;

    @Test
    void aBackupCopiedFromAnotherPlansFolderIsShownAndFailsTheListing() throws IOException {
        MasterKey key = MasterKey.generate(65536);
        Path target = tmp.resolve("target");
        Path file = tmp.resolve("w.txt");
        Files.writeString(file, "web");
        String vault = CraftedBackups.withWriter(target, "vault", key, (w, m) ->
                w.file("v/w.txt", file, CraftedBackups.meta(3)));
        String web = CraftedBackups.withWriter(target, "web", key, (w, m) ->
                w.file("w/w.txt", file, CraftedBackups.meta(3)));
        Files.copy(target.resolve(BackupCatalog.objectName("web", web)),
                target.resolve(BackupCatalog.objectName("vault", web)));

        ListCommand list = new ListCommand(Fixtures.services(Map.of()));
        list.target = target.toString();
        list.plan = "vault";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        FiresafeException e;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            e = assertThrows(FiresafeException.class, list::run);
        } finally {
            System.setOut(stdout);
        }
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(ExitCode.INTEGRITY, e.exitCode(), e.getMessage());
        assertTrue(e.getMessage().contains("plan 'web'"), e.getMessage());
        String line = text.lines().filter(l -> l.startsWith(web)).findFirst().orElseThrow();
        assertTrue(line.contains("MISPLACED") && line.contains("plan 'web'"), text);
        String own = text.lines().filter(l -> l.startsWith(vault)).findFirst().orElseThrow();
        assertTrue(!own.contains("MISPLACED"), text);
    }
}
