package dev.firesafe.cli;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which JVMs run the command again with a bounded heap, and how (BareJarMemoryIT runs it for real). */
class HeapRelaunchTest {

    @Test
    void onlyAJvmGivenNoHeapCollectorAgentOrRecordingIsRelaunched() {
        assertTrue(HeapRelaunch.unbounded(List.of()));
        assertTrue(HeapRelaunch.unbounded(List.of("-Duser.home=/h", "-Dquarkus.http.port=0", "-XX:+UseNUMA")));
        for (String chosen : List.of("-Xmx128m", "-Xms1g", "-XX:MaxHeapSize=1g", "-XX:MaxRAMPercentage=50",
                "-XX:+UseSerialGC", "-XX:+UseG1GC", "-agentlib:jdwp=transport=dt_socket,server=y",
                "-javaagent:/a.jar", "-XX:StartFlightRecording=filename=x.jfr")) {
            assertFalse(HeapRelaunch.unbounded(List.of("-Dx=1", chosen)), chosen);
        }
    }

    @Test
    void walCommandsHelpAndVersionStayInOneJvm() {
        assertTrue(HeapRelaunch.relaunches(HeapRelaunch.command("backup", "--source", "/s")));
        assertTrue(HeapRelaunch.relaunches(HeapRelaunch.command("restore", "latest", "--to", "/r")));
        assertTrue(HeapRelaunch.relaunches(HeapRelaunch.command("verify", "all")));
        assertTrue(HeapRelaunch.relaunches(HeapRelaunch.command("serve")));
        assertFalse(HeapRelaunch.relaunches(HeapRelaunch.command("wal-push", "pg_wal/0001", "0001")));
        assertFalse(HeapRelaunch.relaunches(HeapRelaunch.command("wal-fetch", "0001", "pg_wal/RECOVERYXLOG")));
        assertFalse(HeapRelaunch.relaunches(HeapRelaunch.command("--help")));
        assertFalse(HeapRelaunch.relaunches(HeapRelaunch.command("-V")));
        assertEquals(Optional.empty(), HeapRelaunch.command());
    }

    @Test
    void theChildGetsTheOptionsFileNextToTheJarWhereThereIsOne(@org.junit.jupiter.api.io.TempDir Path dir)
            throws java.io.IOException {
        Path jar = java.nio.file.Files.createFile(dir.resolve("quarkus-run.jar"));
        Path options = java.nio.file.Files.writeString(dir.resolve(HeapRelaunch.OPTIONS_FILE), "-Xmx128m\n");
        List<String> cmd = HeapRelaunch.childCommand(List.of(), jar, "backup");
        assertEquals("@" + options.toAbsolutePath(), cmd.get(1));
        assertEquals(List.of("-jar", jar.toString(), "backup"), cmd.subList(3, cmd.size()));
    }

    @Test
    void theShippedOptionsFileBoundsTheHeapAsTheFallbackFlagsDo() throws java.io.IOException {
        List<String> lines = java.nio.file.Files.readAllLines(Path.of("src/main/jvm", HeapRelaunch.OPTIONS_FILE));
        assertTrue(lines.containsAll(HeapRelaunch.FLAGS), lines.toString());
    }

    @Test
    void theChildGetsTheBoundedFlagsThenThisJvmsOwnOptionsThenTheSameArguments() {
        List<String> cmd = HeapRelaunch.childCommand(List.of("-Duser.home=/h"), Path.of("app/quarkus-run.jar"),
                "backup", "--source", "/s");
        assertTrue(cmd.get(0).endsWith("/bin/java"), cmd.toString());
        assertEquals(HeapRelaunch.FLAGS, cmd.subList(1, 4));
        assertEquals("-D" + HeapRelaunch.PARENT_PROPERTY + "=" + ProcessHandle.current().pid(), cmd.get(4));
        assertEquals(List.of("-Duser.home=/h", "-jar", "app/quarkus-run.jar", "backup", "--source", "/s"),
                cmd.subList(5, cmd.size()));
    }

    @Test
    void whenNoChildCanBeStartedTheCommandRunsInThisJvm() {
        assertEquals(java.util.OptionalInt.empty(),
                HeapRelaunch.runChild(List.of("/nonexistent/bin/java", "-version")));
    }
}
