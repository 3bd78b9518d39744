package dev.firesafe.it;

import dev.firesafe.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #18, point 7, on the packaged jar: stderr carries what a person should read, once. No DEBUG or TRACE line
 * (a stray {@code DEBUG [io.smallrye.config] ... Loaded ConfigSource} appeared under -Xmx128m; a mistyped log level
 * printed ~190 of them), the removal of a stale partial upload said once, and a restore that fails before writing
 * anything (wrong key, damaged header) leaves no folder behind.
 */
class QuietStderrIT {

    @TempDir
    Path tmp;

    private static void assertNoDebug(Cli.Result r) {
        List<String> noise = r.stderr().lines().filter(l -> l.matches(".*\\b(DEBUG|TRACE) +\\[.*")).toList();
        assertEquals(List.of(), noise, r.toString());
    }

    @Test
    void commandsUnderASmallHeapPrintNoDebugLinesAndSayThingsOnce() throws IOException {
        Cli cli = new Cli(tmp).jvm("-Xmx128m");
        cli.useNewKey();
        Path data = Files.createDirectories(tmp.resolve("data"));
        Files.writeString(data.resolve("a.txt"), "alpha");
        Path target = tmp.resolve("backups");
        Cli.Result first = cli.run("backup", "--source", data.toString(), "--target", target.toString());
        assertEquals(0, first.exitCode(), first.toString());
        assertNoDebug(first);
        Path planDir;
        try (Stream<Path> dirs = Files.list(target)) {
            planDir = dirs.filter(Files::isDirectory).findFirst().orElseThrow();
        }
        // what a backup killed two days ago left: swept by the next one, and said once
        Path stale = planDir.resolve(".20200101T000000.000Z-00000000.firesafe.partial");
        Files.writeString(stale, "cut short");
        Files.setLastModifiedTime(stale, FileTime.from(Instant.now().minus(Duration.ofDays(2))));

        Cli.Result second = cli.run("backup", "--source", data.toString(), "--target", target.toString());
        assertEquals(0, second.exitCode(), second.toString());
        assertNoDebug(second);
        assertFalse(Files.exists(stale), second.toString());
        assertEquals(1, second.stderr().lines().filter(l -> l.contains("removed the partial upload")).count(),
                second.toString());

        for (String[] args : new String[][] {{"list", "--target", target.toString()},
                {"verify", "latest", "--target", target.toString()},
                {"restore", "latest", "--target", target.toString(), "--to", tmp.resolve("out").toString()}}) {
            Cli.Result r = cli.run(args);
            assertEquals(0, r.exitCode(), r.toString());
            assertNoDebug(r);
        }

        Cli.Result bogus = new Cli(tmp).jvm("-Xmx128m").jvm("-Dquarkus.log.level=BOGUS")
                .run("list", "--target", target.toString());
        assertEquals(2, bogus.exitCode(), bogus.toString());
        assertTrue(bogus.stderr().contains("quarkus.log.level=BOGUS is not a log level"), bogus.toString());
        assertNoDebug(bogus);
    }

    @Test
    void aRestoreThatFailsBeforeWritingLeavesNoFolder() throws IOException {
        Cli cli = new Cli(tmp);
        cli.useNewKey();
        Path data = Files.createDirectories(tmp.resolve("data"));
        Files.writeString(data.resolve("a.txt"), "alpha");
        Path target = tmp.resolve("backups");
        assertEquals(0, cli.run("backup", "--source", data.toString(), "--target", target.toString()).exitCode());

        Path wrongKey = tmp.resolve("new/wrong-key");
        Cli other = new Cli(tmp);
        other.useNewKey();
        Cli.Result refused = other.run("restore", "latest", "--target", target.toString(), "--to",
                wrongKey.toString());
        assertEquals(3, refused.exitCode(), refused.toString());
        assertFalse(Files.exists(tmp.resolve("new")), "the folders it made are gone: " + refused);

        Path object;
        try (Stream<Path> all = Files.walk(target)) {
            object = all.filter(p -> p.getFileName().toString().endsWith(".firesafe")).findFirst().orElseThrow();
        }
        try (RandomAccessFile f = new RandomAccessFile(object.toFile(), "rw")) {
            f.seek(8); // the format byte: 9 is no format
            f.write(9);
        }
        Path damaged = tmp.resolve("new2/damaged");
        Cli.Result broken = cli.run("restore", "latest", "--target", target.toString(), "--to", damaged.toString());
        assertEquals(4, broken.exitCode(), broken.toString());
        assertFalse(Files.exists(tmp.resolve("new2")), "the folders it made are gone: " + broken);
    }
}
