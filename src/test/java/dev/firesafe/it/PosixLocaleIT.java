package dev.firesafe.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.firesafe.archive.FileNames;
import dev.firesafe.testing.Cli;
import dev.firesafe.testing.Trees;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Under LANG=C (cron, a systemd unit without a locale, a slim container) the JVM reads file names as ASCII. A backup
 * of "ünïcödé/日本語ファイル.txt" used to stop with InvalidPathException; names must come back byte for byte, and a
 * name that is not UTF-8 at all must be stored (shown spelled out, with a warning) and restored with its exact
 * bytes rather than stop the backup.
 */
class PosixLocaleIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** "bad\xFF\xFEname": not UTF-8; Path.of(URI) makes a path from exactly these bytes in any locale. */
    private static final String BAD_NAME_ESCAPED = "bad%FF%FEname";

    @TempDir
    Path tmp;

    @Test
    void namesComeBackExactlyUnderLangC() throws IOException {
        Cli cli = new Cli(tmp).posixLocale();
        cli.useNewKey();

        Path source = Trees.everyKind(tmp.resolve("data"));
        Files.createSymbolicLink(source.resolve("link-to-ünïcödé"), Path.of("ünïcödé/日本語ファイル.txt"));
        Path bad = Path.of(URI.create(source.toUri() + BAD_NAME_ESCAPED));
        Files.write(bad, "not utf-8\n".getBytes(StandardCharsets.UTF_8));
        Path badTarget = FileNames.path(FileNames.bytes(source.relativize(bad))); // relative, the same bytes
        Files.createSymbolicLink(source.resolve("link-to-bad"), badTarget);
        String target = tmp.resolve("backups").toUri().toString();

        Cli.Result backup = cli.run("backup", "--source", source.toString(), "--target", target, "--json");
        assertEquals(0, backup.exitCode(), backup.toString());
        JsonNode b = JSON.readTree(backup.stdout());
        assertEquals(Trees.regularFiles(source), b.get("files").asLong());
        assertTrue(b.get("warnings").toString().contains("not valid UTF-8"), backup.toString());

        Cli.Result verify = cli.run("verify", "latest", "--target", target);
        assertEquals(0, verify.exitCode(), verify.toString());
        Cli.Result drill = cli.run("drill", "--target", target);
        assertEquals(0, drill.exitCode(), drill.toString());

        Path out = tmp.resolve("out");
        Cli.Result restore = cli.run("restore", "latest", "--to", out.toString(), "--target", target);
        assertEquals(0, restore.exitCode(), restore.toString());
        Path restored = out.resolve("data");
        Path exact = Path.of(URI.create(restored.toUri() + BAD_NAME_ESCAPED)); // the very same bytes
        assertEquals("not utf-8\n", Files.readString(exact));
        assertEquals(Trees.describe(source), Trees.describe(restored));
    }

    /**
     * A plan's non-ASCII names must mean the same under LANG=C: the source folder "Bücher" is the archive's top
     * folder "Bücher" (not "B\uFFFD\uFFFDcher"), and the patterns "dirü/**" and "*.tmpä" exclude what they name.
     */
    @Test
    void planNamesAndPatternsWorkUnderLangC() throws IOException {
        Cli cli = new Cli(tmp).posixLocale();
        cli.useNewKey();

        Path source = tmp.resolve("Bücher");
        Trees.write(source.resolve("kept.txt"), "kept\n".getBytes(StandardCharsets.UTF_8), "rw-r--r--");
        Trees.write(source.resolve("dirü/inner.txt"), "excluded\n".getBytes(StandardCharsets.UTF_8), "rw-r--r--");
        Trees.write(source.resolve("notes.tmpä"), "excluded\n".getBytes(StandardCharsets.UTF_8), "rw-r--r--");
        String target = tmp.resolve("backups").toUri().toString();
        Files.createDirectories(tmp.resolve("functions"));
        Files.writeString(tmp.resolve("functions/books.yaml"), "plan:\n  sources:\n    - path: " + source
                + "\n      exclude: [\"dirü/**\", \"*.tmpä\"]\n  targets: [ " + target + " ]\n",
                StandardCharsets.UTF_8);

        Cli.Result backup = cli.run("backup", "--plan", "books", "--json");
        assertEquals(0, backup.exitCode(), backup.toString());
        assertEquals(1, JSON.readTree(backup.stdout()).get("files").asLong(), backup.toString());

        Path out = tmp.resolve("out");
        Cli.Result restore = cli.run("restore", "latest", "--to", out.toString(), "--target", target);
        assertEquals(0, restore.exitCode(), restore.toString());
        assertEquals("kept\n", Files.readString(out.resolve("Bücher/kept.txt")));
        assertEquals(Set.of("kept.txt"), Trees.describe(out.resolve("Bücher")).keySet(),
                "nothing excluded came back");
    }

    @Test
    void aWorkingFolderTheLocaleCannotSpellGetsAPlainError() throws IOException {
        // Under LANG=C the JVM cannot make a path of "Müller" as its working folder; this used to end in a
        // stack trace from deep inside the configuration (exit 1).
        Cli cli = new Cli(Files.createDirectories(tmp.resolve("Müller"))).posixLocale();
        Cli.Result r = cli.run("list", "--target", tmp.resolve("backups").toUri().toString());
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.stderr().contains("working folder") && r.stderr().contains("LANG=C.UTF-8"), r.toString());
        assertFalse(r.stderr().contains("Exception"), r.toString());
    }
}
