package dev.firesafe.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.firesafe.core.ExitCode;
import dev.firesafe.crypto.MasterKey;
import dev.firesafe.testing.Cli;
import dev.firesafe.testing.GitHubEmulator;
import dev.firesafe.testing.SecretsService;
import dev.firesafe.testing.Trees;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The github:// target through the packaged jar, as users run it, against the local GitHub API emulator:
 * backup, list, verify, restore and retention; requests per backup; bad credentials; bounded memory on a
 * multi-part archive; and the token never appearing in any output.
 */
class GitHubTargetIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "github_pat_" + UUID.randomUUID().toString().replace("-", "");
    private static final String TARGET = "github://acme/vault/backups?branch=main";

    @TempDir
    Path tmp;

    private GitHubEmulator github;
    private Cli cli;
    private final List<Cli.Result> everything = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        github = new GitHubEmulator("acme", "vault", TOKEN);
        cli = new Cli(tmp).env("FIRESAFE_MASTER_KEY", MasterKey.generate(65536).toEscrowText())
                .env("GITHUB_TOKEN", TOKEN)
                .env("FIRESAFE_GITHUB_API_URL", github.url())
                .env("FIRESAFE_GITHUB_RETRY_BACKOFF", "10ms");
    }

    @AfterEach
    void stop() {
        github.close();
        for (Cli.Result r : everything) {
            assertFalse(r.all().contains(TOKEN), "the token leaked:\n" + r);
        }
    }

    private Cli.Result run(Cli c, int expectedExit, String... args) {
        Cli.Result r = c.run(args);
        everything.add(r);
        assertEquals(expectedExit, r.exitCode(), r.toString());
        return r;
    }

    @Test
    void backupListVerifyRestoreAndRetentionWithThreeRequestsPerBackup() throws IOException {
        Path source = Trees.everyKind(tmp.resolve("data"));
        Files.createDirectories(tmp.resolve("functions"));
        Files.writeString(tmp.resolve("functions/default.yaml"), "plan:\n  sources:\n    - path: " + source
                + "\n  targets: [ \"" + TARGET + "\" ]\n  retention: { keep-last: 2 }\n");

        String first = JSON.readTree(run(cli, 0, "backup", "--json").stdout()).get("id").asText();
        github.resetCalls();
        run(cli, 0, "backup", "--json");
        assertEquals(3, github.totalCalls(), "a backup under the part size: GET index, PUT archive, PUT index "
                + "(the incremental backup's look at what the target holds uses the index it read): "
                + github.callCounts());
        github.resetCalls();
        JsonNode third = JSON.readTree(run(cli, 0, "backup", "--json").stdout());
        assertEquals(List.of(first), List.of(third.get("targets").get(0).get("pruned").get(0).asText()),
                third.toString());
        // Retention removes the first backup, whose object the later (incremental) ones still need: it reads its
        // header (GET raw: a chunked backup) and marks it removed (GET index, PUT mark, PUT index) instead of
        // deleting it; prune reclaims the object once no kept backup needs it (docs/retention.md).
        assertEquals(7, github.totalCalls(), "3 for the backup, 4 to remove one: " + github.callCounts());
        assertEquals(0, github.calls("DELETE contents"), github.callCounts().toString());

        JsonNode list = JSON.readTree(run(cli, 0, "list", "--target", TARGET, "--json").stdout());
        assertEquals(2, list.get("backups").size(), list.toString());
        assertTrue(run(cli, 0, "verify", "latest", "--target", TARGET).stdout()
                .contains(third.get("id").asText()));
        Path out = tmp.resolve("restored");
        run(cli, 0, "restore", "latest", "--to", out.toString(), "--target", TARGET);
        assertEquals(Trees.describe(source), Trees.describe(out.resolve("data")));
        run(cli, 0, "prune", "--dry-run", "--json");
    }

    @Test
    void badCredentialsAreATargetErrorNamingTheSourceNotTheToken() throws IOException {
        Path source = Trees.everyKind(tmp.resolve("data"));
        run(cli, 0, "backup", "--source", source.toString(), "--target", TARGET);
        byte[] index = github.file("backups/firesafe-index.json");

        String wrong = "github_pat_" + UUID.randomUUID().toString().replace("-", "");
        Cli bad = cli.env("GITHUB_TOKEN", wrong);
        Cli.Result denied = run(bad, ExitCode.TARGET.code, "backup", "--source", source.toString(), "--target",
                TARGET, "--json");
        assertTrue(denied.all().contains("401") && denied.all().contains("GITHUB_TOKEN"), denied.toString());
        assertFalse(denied.all().contains(wrong), "a wrong token is a secret too");
        Cli.Result list = run(bad, ExitCode.TARGET.code, "list", "--target", TARGET);
        assertFalse(list.all().contains(wrong));
        assertTrue(java.util.Arrays.equals(index, github.file("backups/firesafe-index.json")));

        Path file = Files.writeString(tmp.resolve("gh-token"), wrong + "\n");
        // blank, not removed: a GITHUB_TOKEN inherited from the machine running the tests must not win either
        Cli fromFile = cli.env("GITHUB_TOKEN", "").env("GITHUB_TOKEN_FILE", file.toString());
        Cli.Result denied2 = run(fromFile, ExitCode.TARGET.code, "list", "--target", TARGET);
        assertTrue(denied2.all().contains("GITHUB_TOKEN_FILE " + file), denied2.toString());
        assertFalse(denied2.all().contains(wrong));
        Files.writeString(file, TOKEN + "\n");
        run(fromFile, 0, "list", "--target", TARGET);
    }

    @Test
    void aSecretsServiceThatIsStillBootingDelaysTheBackupInsteadOfFailingIt() throws Exception {
        try (SecretsService vault = new SecretsService(TOKEN, 1)) { // the first request hangs, like the seed's vault
            Path source = Trees.everyKind(tmp.resolve("data"));
            Cli viaVault = cli.env("GITHUB_TOKEN", "").env("FIRESAFE_GITHUB_TOKEN_URL", vault.url())
                    .env("FIRESAFE_GITHUB_TOKEN_TIMEOUT", "1s");
            run(viaVault, 0, "backup", "--source", source.toString(), "--target", TARGET, "--json");
            assertEquals(2, vault.requests(), "the first request timed out, the second got the token");
            assertEquals(1, JSON.readTree(run(viaVault, 0, "list", "--target", TARGET, "--json").stdout())
                    .get("backups").size());
        }
    }

    @Test
    void legacyFernetBackupsAreRestoredStraightFromGitHub() throws Exception {
        Path python = Path.of("/usr/bin/python3");
        assumeTrue(Files.isExecutable(python) && new ProcessBuilder(python.toString(), "-c",
                "import cryptography.fernet").start().waitFor() == 0, "needs python3-cryptography");
        Path source = Trees.everyKind(tmp.resolve("old"));
        Path token = tmp.resolve("aither.enc");
        // The original system's format, made by an independent implementation (Python's cryptography package).
        Process p = new ProcessBuilder(python.toString(), "-c", String.join("\n",
                "import io, sys, tarfile",
                "from cryptography.fernet import Fernet",
                "buf = io.BytesIO()",
                "with tarfile.open(fileobj=buf, mode='w:gz') as t: t.add(sys.argv[1], arcname='.')",
                "key = Fernet.generate_key()",
                "open(sys.argv[2], 'wb').write(Fernet(key).encrypt(buf.getvalue()))",
                "print(key.decode())"), source.toString(), token.toString()).start();
        String key = new String(p.getInputStream().readAllBytes()).strip();
        assertEquals(0, p.waitFor());
        github.write("main", "legacy/aither-backup.enc", Files.readAllBytes(token));

        Path out = tmp.resolve("restored");
        run(cli.env("AITHER_MASTER_KEY", key), 0, "restore", "--legacy-fernet",
                "github://acme/vault/legacy/aither-backup.enc", "--to", out.toString());
        assertEquals(Trees.describe(source), Trees.describe(out));
        Cli.Result missing = run(cli, ExitCode.TARGET.code, "restore", "--legacy-fernet",
                "github://acme/vault/legacy/nope.enc", "--to", tmp.resolve("x").toString());
        assertTrue(missing.all().contains("does not exist"), missing.toString());
        for (String option : List.of("--sparse", "--include=x")) { // not silently ignored
            Cli.Result refused = run(cli.env("AITHER_MASTER_KEY", key), ExitCode.USAGE.code, "restore",
                    "--legacy-fernet", "github://acme/vault/legacy/aither-backup.enc", "--to",
                    tmp.resolve("y").toString(), option);
            assertTrue(refused.stderr().contains("do not apply to --legacy-fernet"), refused.toString());
        }
    }

    @Test
    void aMultiPartArchiveGoesThroughInBoundedMemory() throws IOException {
        Path source = Files.createDirectories(tmp.resolve("big"));
        byte[] block = new byte[1 << 20];
        Random random = new Random(11);
        try (OutputStream out = Files.newOutputStream(source.resolve("noise.bin"))) {
            for (int i = 0; i < 160; i++) { // 160 MiB incompressible: far more than the heap below
                random.nextBytes(block);
                out.write(block);
            }
        }
        Cli small = cli.jvm("-Xmx64m").env("FIRESAFE_GITHUB_PART_SIZE", String.valueOf(4 << 20));
        run(small, 0, "backup", "--source", source.toString(), "--target", TARGET);
        long parts = github.files("main").keySet().stream().filter(f -> f.contains(".firesafe.part")).count();
        assertEquals(41, parts, "160 MiB plus archive overhead in 4 MiB parts");
        Path out = tmp.resolve("restored");
        run(small, 0, "restore", "latest", "--to", out.toString(), "--target", TARGET);
        assertEquals(Trees.describe(source), Trees.describe(out.resolve("big")));
    }
}
