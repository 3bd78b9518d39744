package dev.firesafe.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.firesafe.testing.Cli;
import dev.firesafe.testing.Functions;
import dev.firesafe.testing.Trees;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command-line contract of issue #2, on the packaged jar: commands, flags, exit codes, no secret leaks. */
class CliIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private Cli cli;
    private String key;
    private Path source;
    private String target;
    private final List<Cli.Result> everything = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        cli = new Cli(tmp);
        Cli.Result keygen = cli.run("keygen"); // the one output that must show the key: not in `everything`
        assertEquals(0, keygen.exitCode(), keygen.toString());
        key = lastLine(keygen.stdout());
        cli.env("FIRESAFE_MASTER_KEY", key);
        source = Trees.everyKind(tmp.resolve("data"));
        target = tmp.resolve("backups").toUri().toString();
    }

    private Cli.Result ok(Cli.Result r) {
        everything.add(r);
        assertEquals(0, r.exitCode(), r.toString());
        return r;
    }

    private Cli.Result fails(int exitCode, Cli.Result r) {
        everything.add(r);
        assertEquals(exitCode, r.exitCode(), r.toString());
        return r;
    }

    private static String lastLine(String s) {
        String[] lines = s.strip().split("\n");
        return lines[lines.length - 1].strip();
    }

    private void assertNoSecretLeaked() {
        for (Cli.Result r : everything) {
            assertFalse(r.all().contains(key), "master key leaked:\n" + r);
            // the key's body without dashes must not leak either (e.g. in a decoded or reformatted form)
            assertFalse(r.all().replace("-", "").contains(key.replace("-", "").substring(5)), r.toString());
        }
    }

    @Test
    void backupListVerifyRestoreRoundTrip() throws IOException {
        JsonNode b = JSON.readTree(ok(cli.run("backup", "--source", source.toString(), "--target", target,
                "--json")).stdout());
        assertTrue(b.get("ok").asBoolean());
        assertEquals(Trees.regularFiles(source), b.get("files").asLong());
        assertTrue(b.get("bytesOut").asLong() > 0 && b.get("bytesIn").asLong() > 3_000_000);
        assertTrue(b.has("durationMs"));
        String id = b.get("id").asText();

        JsonNode list = JSON.readTree(ok(cli.run("list", "--target", target, "--json")).stdout());
        assertEquals(1, list.get("backups").size());
        assertEquals(id, list.get("backups").get(0).get("id").asText());

        Cli.Result verify = ok(cli.run("verify", "latest", "--target", target));
        assertTrue(verify.stdout().contains(id) && verify.stdout().contains("intact"), verify.toString());

        Path out = tmp.resolve("restored");
        ok(cli.run("restore", id, "--to", out.toString(), "--target", target));
        assertEquals(Trees.describe(source), Trees.describe(out.resolve("data")));

        Cli.Result human = ok(cli.run("backup", "--source", source.toString(), "--target", target));
        assertTrue(human.stdout().contains("restore it with"), human.toString());
        assertTrue(human.stderr().contains("the backup is on the same disk as " + source), human.toString());
        Cli.Result toDefault = ok(cli.run("backup", "--source", source.toString())); // the default target, in HOME
        assertTrue(toDefault.stderr().contains("the backup is on the same disk as " + source), toDefault.toString());
        assertNoSecretLeaked();
    }

    /**
     * A function file may file its backups under another plan name ({@code plan.name}); --plan names the file for
     * every command, so list, verify and restore look for the backups under the name backup stored them under.
     */
    @Test
    void aPlanNamedOtherThanItsFileIsFoundByEveryCommandUnderTheFileName() throws IOException {
        Path functions = Files.createDirectories(tmp.resolve("fns"));
        Files.writeString(functions.resolve("web.yaml"), "plan:\n  name: vault\n  sources:\n    - path: " + source
                + "\n  targets: [" + target + "]\n");
        cli.env("FIRESAFE_FUNCTIONS_DIR", functions.toString());
        JsonNode b = JSON.readTree(ok(cli.run("backup", "--plan", "web", "--json")).stdout());
        assertEquals("vault", b.get("plan").asText());

        JsonNode list = JSON.readTree(ok(cli.run("list", "--plan", "web", "--json")).stdout());
        assertEquals(1, list.get("backups").size(), list.toString());
        assertEquals(b.get("id").asText(), list.get("backups").get(0).get("id").asText());
        Cli.Result verify = ok(cli.run("verify", "latest", "--plan", "web"));
        assertTrue(verify.stdout().contains(b.get("id").asText()), verify.toString());
        Path out = tmp.resolve("restored");
        ok(cli.run("restore", "latest", "--plan", "web", "--to", out.toString()));
        assertEquals(Trees.describe(source), Trees.describe(out.resolve("data")));
        assertNoSecretLeaked();
    }

    /** A second host, or anything else, on the port: a clear refusal (exit 2), not Quarkus' start-up failure (1). */
    @Test
    void serveOnAPortInUseSaysWhichAndExitsWithTwo() throws IOException {
        Path functions = Files.createDirectories(tmp.resolve("fns"));
        Functions.write(functions, "web", source, tmp.resolve("backups"), "");
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Cli.Result r = fails(2, cli.jvm("-Dquarkus.http.port=" + taken.getLocalPort())
                    .run("serve", "--functions", functions.toString()));
            assertTrue(r.stderr().contains("127.0.0.1:" + taken.getLocalPort() + " is in use"), r.toString());
            assertTrue(r.stderr().contains("quarkus.http.port"), r.toString());
        }
        assertNoSecretLeaked();
    }

    @Test
    void keyFromFileAndKeygenOutFile() throws IOException {
        Path keyFile = tmp.resolve("keys/master.key");
        Cli.Result toFile = ok(cli.run("keygen", "--out", keyFile.toString()));
        assertFalse(toFile.all().contains(Files.readString(keyFile).strip()), "--out must not print the key");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)));
        fails(2, cli.run("keygen", "--out", keyFile.toString())); // never replaces a key file
        Cli withFile = new Cli(tmp).env("FIRESAFE_MASTER_KEY_FILE", keyFile.toString());
        everything.add(withFile.run("backup", "--source", source.toString(), "--target", target));
        assertEquals(0, everything.get(everything.size() - 1).exitCode());
        Cli.Result wrong = fails(3, cli.run("verify", "latest", "--target", target));
        assertTrue(wrong.stderr().contains("wrong key"), wrong.toString());
        ok(withFile.run("verify", "latest", "--target", target));
    }

    @Test
    void exitCodesNameEachKindOfFailure() throws IOException {
        Cli noKey = new Cli(tmp);
        Cli.Result missingKey = fails(3, noKey.run("backup", "--source", source.toString(), "--target", target));
        assertTrue(missingKey.stderr().contains("no master key"), missingKey.toString());

        Cli.Result missingSource = fails(6, cli.run("backup", "--source", tmp.resolve("gone").toString(),
                "--target", target));
        assertTrue(missingSource.stderr().contains("does not exist"), missingSource.toString());
        assertFalse(Files.exists(tmp.resolve("backups")), "nothing written for a missing source");

        fails(2, cli.run("backup", "--source", source.toString(), "--target", "ftp://nowhere/x"));
        fails(2, cli.run("backup", "--no-such-flag"));

        ok(cli.run("backup", "--source", source.toString(), "--target", target));
        Path out = Files.createDirectories(tmp.resolve("busy"));
        Files.writeString(out.resolve("precious"), "keep me");
        fails(2, cli.run("restore", "latest", "--to", out.toString(), "--target", target));
        assertEquals("keep me", Files.readString(out.resolve("precious")));

        flipOneByteInTheMiddle(onlyBackupFile());
        Cli.Result tampered = fails(4, cli.run("verify", "latest", "--target", target));
        assertTrue(tampered.stderr().contains("failed authentication"), tampered.toString());

        fails(5, cli.run("restore", "20200101T000000.000Z-00000000", "--to", tmp.resolve("x").toString(),
                "--target", target));
        Files.writeString(tmp.resolve("not-a-folder"), "x");
        fails(5, cli.run("backup", "--source", source.toString(), "--target",
                tmp.resolve("not-a-folder").toString()));
        assertNoSecretLeaked();
    }

    @Test
    void writeOnlyHostCanBackUpAndListButNotRead() throws IOException {
        Path recoveryFile = tmp.resolve("offline/recovery.key");
        Cli.Result pair = ok(cli.run("keygen", "--write-only", "--out", recoveryFile.toString()));
        String publicKey = lastLine(pair.stdout());
        String privateKey = Files.readString(recoveryFile).strip();
        assertTrue(publicKey.startsWith("fsp1-") && privateKey.startsWith("fsr1-"), pair.toString());
        assertFalse(pair.all().contains(privateKey), "the private key is only in the file");
        fails(2, cli.run("keygen", "--write-only")); // never printed

        // The host: public key only; its master-key setting is garbage, so any attempt to read it would fail.
        Cli host = new Cli(tmp).env("FIRESAFE_PUBLIC_KEY", publicKey).env("FIRESAFE_MASTER_KEY", "fsk1-garbage");
        ok(cli.run("backup", "--source", source.toString(), "--target", target)); // an older, symmetric backup
        Cli.Result backup = ok(host.run("backup", "--source", source.toString(), "--target", target, "--json"));
        String id = JSON.readTree(backup.stdout()).get("id").asText();
        Cli.Result list = ok(host.run("list", "--target", target));
        assertTrue(list.stdout().contains("write-only") && list.stdout().contains("master"), list.toString());

        Cli.Result refused = fails(3, cli.run("verify", id, "--target", target));
        assertTrue(refused.stderr().contains("recovery key"), refused.toString());

        Cli reader = new Cli(tmp).env("FIRESAFE_MASTER_KEY", key + "\n" + privateKey);
        ok(reader.run("verify", id, "--target", target));
        Path out = tmp.resolve("from-write-only");
        ok(reader.run("restore", id, "--to", out.toString(), "--target", target));
        assertEquals(Trees.describe(source), Trees.describe(out.resolve("data")));
        for (Cli.Result r : everything) {
            assertFalse(r.all().contains(privateKey), "recovery key leaked:\n" + r);
        }
    }

    @Test
    void killedBackupLeavesThePreviousOneAsLatest() throws Exception {
        String first = JSON.readTree(ok(cli.run("backup", "--source", source.toString(), "--target", target,
                "--json")).stdout()).get("id").asText();
        Path big = largeFileTree(768);
        Process p = cli.builder("backup", "--source", big.toString(), "--target", target)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        Path planDir = tmp.resolve("backups/default");
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (partialBytes(planDir) < 8 << 20) { // wait until the backup is well under way, then kill -9
            assertTrue(p.isAlive(), "backup ended before it could be killed");
            assertTrue(System.nanoTime() < deadline, "backup never started writing");
            Thread.onSpinWait();
        }
        p.destroyForcibly().waitFor();
        assertEquals(137, p.exitValue());

        JsonNode list = JSON.readTree(ok(cli.run("list", "--target", target, "--json")).stdout());
        assertEquals(1, list.get("backups").size(), list.toString());
        assertEquals(first, list.get("backups").get(0).get("id").asText());
        Cli.Result verify = ok(cli.run("verify", "latest", "--target", target));
        assertTrue(verify.stdout().contains(first));
    }

    @Test
    void verifyListShowsNamesAndRestoreIncludeWritesOnlyWhatMatches() throws IOException {
        ok(cli.run("backup", "--source", source.toString(), "--target", target));
        List<String> listed = ok(cli.run("verify", "latest", "--target", target, "--list")).stdout().lines()
                .toList();
        assertTrue(listed.stream().anyMatch(l -> l.startsWith("file ") && l.endsWith("  data/hello.txt")), listed
                .toString());
        assertTrue(listed.stream().anyMatch(l -> l.endsWith("  data/link-to-hello -> hello.txt")), listed.toString());
        Path out = tmp.resolve("partial");
        Cli.Result one = ok(cli.run("restore", "latest", "--to", out.toString(), "--target", target,
                "--include", "data/hello.txt", "--sparse", "--json"));
        assertEquals(1, JSON.readTree(one.stdout()).get("restoredFiles").asLong(), one.toString());
        try (Stream<Path> all = Files.walk(out)) {
            assertEquals(List.of(out, out.resolve("data"), out.resolve("data/hello.txt")), all.sorted().toList());
        }
        assertEquals(Files.readString(source.resolve("hello.txt")), Files.readString(out.resolve("data/hello.txt")));

        Cli.Result typo = fails(2, cli.run("restore", "latest", "--to", tmp.resolve("typo").toString(),
                "--target", target, "--include", "hello.txt/**"));
        assertTrue(typo.stderr().contains("nothing in the backup matches --include hello.txt/**"), typo.toString());
    }

    @Test
    void verifyAllChecksEveryBackupAndNamesTheDamagedOne() throws IOException {
        String older = JSON.readTree(ok(cli.run("backup", "--source", source.toString(), "--target", target,
                "--json")).stdout()).get("id").asText();
        // --full: an incremental backup would need the older one's object, and fail with it (IncrementalBackupTest)
        String newer = JSON.readTree(ok(cli.run("backup", "--source", source.toString(), "--target", target,
                "--full", "--json")).stdout()).get("id").asText();
        Path damaged = tmp.resolve("backups/default/" + older + ".firesafe");
        byte[] bytes = Files.readAllBytes(damaged);
        bytes[bytes.length / 2] ^= 1; // bit rot in a backup nobody has looked at since
        Files.write(damaged, bytes);

        Cli.Result all = fails(4, cli.run("verify", "all", "--target", target));
        List<String> lines = all.stdout().lines().toList();
        assertTrue(lines.get(0).startsWith("FAILED   " + older) && lines.get(1).startsWith("intact   " + newer),
                all.toString());
        // the damaged object is named with the backups it breaks
        assertTrue(lines.get(2).startsWith("DAMAGED  default/" + older + ".firesafe: ")
                && lines.get(2).endsWith("breaks " + older), all.toString());
        assertTrue(lines.get(3).matches("1 of 2 backup\\(s\\) in .*/backups/? intact \\(2 object\\(s\\) read, "
                + "each once\\)"), all.toString());

        JsonNode json = JSON.readTree(fails(4, cli.run("verify", "all", "--target", target, "--json")).stdout());
        assertEquals(List.of(false, true), List.of(json.get("backups").get(0).get("ok").asBoolean(),
                json.get("backups").get(1).get("ok").asBoolean()), json.toString());
        assertEquals("default/" + older + ".firesafe", json.get("objects").get(0).get("object").asText(),
                json.toString());
    }

    @Test
    void killedRestoreLeavesTheNoteThatItHasNotFinished() throws Exception {
        ok(cli.run("backup", "--source", largeFileTree(256).toString(), "--target", target));
        Path dest = tmp.resolve("restored");
        Path restoring = dest.resolve("big/large.bin");
        Process p = cli.builder("restore", "latest", "--to", dest.toString(), "--target", target)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (!Files.exists(restoring) || Files.size(restoring) < 8 << 20) { // well under way, then kill -9
            assertTrue(p.isAlive(), "restore ended before it could be killed");
            assertTrue(System.nanoTime() < deadline, "restore never started writing");
            Thread.onSpinWait();
        }
        p.destroyForcibly().waitFor();
        assertEquals(137, p.exitValue());
        Path note = dest.resolve("FIRESAFE-RESTORE-INCOMPLETE.txt");
        assertTrue(Files.readString(note).startsWith("This restore has NOT finished"), "a killed restore says so");

        ok(cli.run("restore", "latest", "--to", dest.toString(), "--target", target, "--force"));
        assertFalse(Files.exists(note), "the finished restore removed the note");
        assertEquals(256L << 20, Files.size(restoring));
    }

    /** A tree of one incompressible file of {@code mib} MiB: slow enough to stop a backup or restore part way. */
    private Path largeFileTree(int mib) throws IOException {
        Path big = Files.createDirectories(tmp.resolve("big"));
        byte[] block = new byte[1 << 20];
        new java.util.Random(7).nextBytes(block);
        try (var out = Files.newOutputStream(big.resolve("large.bin"))) {
            for (int i = 0; i < mib; i++) {
                block[0] = (byte) i;
                out.write(block);
            }
        }
        return big;
    }

    private static long partialBytes(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".partial")).mapToLong(f -> {
                try {
                    return Files.size(f);
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        }
    }

    private Path onlyBackupFile() throws IOException {
        try (Stream<Path> files = Files.list(tmp.resolve("backups/default"))) {
            List<Path> all = files.filter(f -> f.toString().endsWith(".firesafe")).toList();
            assertEquals(1, all.size());
            return all.get(0);
        }
    }

    private static void flipOneByteInTheMiddle(Path file) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            long at = f.length() / 2;
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0x01);
        }
    }
}
