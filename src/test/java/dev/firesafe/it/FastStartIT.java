package dev.firesafe.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.firesafe.testing.Cli;
import dev.firesafe.testing.S3Mock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One-shot commands start without the Quarkus runtime (dev.firesafe.cli.LeanLaunch), and behave as they do with
 * it: same help, same exit codes, same webhook. FIRESAFE_DEBUG=1 makes the launcher say which path it took.
 */
class FastStartIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FAST = "fast start, without the Quarkus runtime";
    /**
     * The line every start of the Quarkus runtime logs ("firesafe ... on JVM (powered by Quarkus ...) started in"),
     * at INFO in category io.quarkus, which {@link #QUARKUS_INFO} turns on: its absence shows that no runtime
     * started, whatever the launcher says about itself.
     */
    private static final String QUARKUS_STARTED = "powered by Quarkus";
    private static final String QUARKUS_INFO = "QUARKUS_LOG_CATEGORY__IO_QUARKUS__LEVEL";

    @TempDir
    Path tmp;

    private Cli cli;
    private HttpServer hooks;
    private final List<String> received = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        cli = new Cli(tmp).env("FIRESAFE_DEBUG", "1");
        Cli.Result keygen = cli.run("keygen");
        assertEquals(0, keygen.exitCode(), keygen.toString());
        String[] lines = keygen.stdout().strip().split("\n");
        cli.env("FIRESAFE_MASTER_KEY", lines[lines.length - 1].strip());
        hooks = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        hooks.createContext("/hook", exchange -> {
            received.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        hooks.start();
    }

    @AfterEach
    void stop() {
        hooks.stop(0);
    }

    private Cli quarkusPath() {
        return new Cli(tmp).env("FIRESAFE_CLI_FAST_START", "false");
    }

    @Test
    void localCommandsTakeTheFastPathAndWork() throws IOException {
        Path data = Files.createDirectories(tmp.resolve("data"));
        Files.writeString(data.resolve("a.txt"), "alpha");
        String target = tmp.resolve("backups").toString();
        backupListVerifyRestoreWithoutQuarkus(cli, data, target, tmp.resolve("out"));

        Files.createDirectories(tmp.resolve("functions"));
        Files.writeString(tmp.resolve("functions/app.yaml"), "plan:\n  sources:\n    - path: " + data
                + "\n  targets:\n    - " + target + "\ntriggers:\n  - type: timer\n    every: 6h\n");
        Cli.Result run = cli.run("run-function", "app", "--json");
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.stderr().contains(FAST), run.toString());
        assertEquals("SUCCEEDED", JSON.readTree(run.stdout()).get("status").asText(), run.toString());
    }

    /** Issue #17: the fast start serves S3 stores too; the SDK client is built without the Quarkus runtime. */
    @Test
    void s3CommandsTakeTheFastPathAndWork() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        Files.writeString(data.resolve("a.txt"), "alpha");
        try (S3Mock s3 = S3Mock.start(tmp)) {
            cli.env("FIRESAFE_S3_ENDPOINT", s3.endpoint()).env("FIRESAFE_S3_PATH_STYLE", "true")
                    .env("AWS_ACCESS_KEY_ID", "firesafe-it").env("AWS_SECRET_ACCESS_KEY", "firesafe-it-secret");
            backupListVerifyRestoreWithoutQuarkus(cli, data, "s3://" + S3Mock.BUCKET + "/fast-start",
                    tmp.resolve("out"));
        }
    }

    /**
     * backup, list, verify and restore of {@code data} on {@code target}, each answered without the Quarkus
     * runtime; the same {@code list} with the fast start turned off shows that a runtime's start would be seen.
     */
    private void backupListVerifyRestoreWithoutQuarkus(Cli fast, Path data, String target, Path out)
            throws IOException {
        fast.env(QUARKUS_INFO, "INFO");
        Cli.Result backup = withoutQuarkus(fast.run("backup", "--source", data.toString(), "--target", target,
                "--json"));
        assertTrue(JSON.readTree(backup.stdout()).get("ok").asBoolean(), backup.toString());
        String id = JSON.readTree(backup.stdout()).get("id").asText();

        Cli.Result list = withoutQuarkus(fast.run("list", "--target", target, "--json"));
        assertEquals(id, JSON.readTree(list.stdout()).get("backups").get(0).get("id").asText(), list.toString());

        withoutQuarkus(fast.run("verify", "latest", "--target", target));

        withoutQuarkus(fast.run("restore", "latest", "--to", out.toString(), "--target", target));
        assertEquals("alpha", Files.readString(out.resolve(data.getFileName()).resolve("a.txt")));

        Cli.Result full = fast.env("FIRESAFE_CLI_FAST_START", "false").run("list", "--target", target);
        fast.withoutEnv("FIRESAFE_CLI_FAST_START");
        assertEquals(0, full.exitCode(), full.toString());
        assertTrue(full.stderr().contains(QUARKUS_STARTED), "the control: a runtime's start is logged\n" + full);
    }

    private static Cli.Result withoutQuarkus(Cli.Result r) {
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.stderr().contains(FAST), r.toString());
        assertFalse(r.stderr().contains(QUARKUS_STARTED), r.toString());
        return r;
    }

    @Test
    void helpAndUsageErrorsAreTheSameOnBothPaths() {
        for (String[] args : List.of(new String[] {"--help"}, new String[] {"backup", "--help"},
                new String[] {"restore", "--no-such-flag"}, new String[] {"no-such-command"})) {
            Cli.Result fast = new Cli(tmp).run(args);
            Cli.Result full = quarkusPath().run(args);
            assertEquals(full.exitCode(), fast.exitCode(), fast + "\n" + full);
            assertEquals(full.stdout(), fast.stdout());
            assertEquals(full.stderr(), fast.stderr());
        }
    }

    @Test
    void aFailedBackupSendsTheWebhookOnBothPaths() throws IOException {
        String hook = "http://127.0.0.1:" + hooks.getAddress().getPort() + "/hook?token=s3cr3t-hook-token";
        String missing = tmp.resolve("no-such-folder").toString();
        for (Cli path : List.of(cli, quarkusPath().env("FIRESAFE_MASTER_KEY", cli.envValue("FIRESAFE_MASTER_KEY")))) {
            received.clear();
            Cli.Result r = path.env("FIRESAFE_NOTIFY_URL", hook)
                    .run("backup", "--source", missing, "--target", tmp.resolve("backups").toString());
            assertEquals(6, r.exitCode(), r.toString());
            assertFalse(r.all().contains("s3cr3t-hook-token"), r.toString());
            assertEquals(1, received.size(), "one notification per failed backup: " + received);
            JsonNode body = JSON.readTree(received.get(0));
            assertEquals("backup.failed", body.get("event").asText(), received.get(0));
            assertEquals(6, body.get("exitCode").asInt(), received.get(0));
        }
    }

    @Test
    void whatNeedsQuarkusStartsIt() throws IOException {
        Files.createDirectories(tmp.resolve("functions"));
        Files.writeString(tmp.resolve("functions/offsite.yaml"), "plan:\n  sources:\n    - path: /srv\n"
                + "  targets:\n    - github://owner/repo/backups\n");
        Cli.Result list = cli.run("list", "--target", tmp.resolve("backups").toString());
        assertEquals(0, list.exitCode(), list.toString());
        assertTrue(list.stderr().contains("starting Quarkus: a github:// target in the configuration or the plans"),
                list.toString());
        Files.delete(tmp.resolve("functions/offsite.yaml"));

        Cli.Result json = cli.env("FIRESAFE_LOG_JSON", "true").run("list", "--target", tmp.resolve("b").toString());
        assertEquals(0, json.exitCode(), json.toString());
        assertTrue(json.stderr().contains("starting Quarkus: JSON logs"), json.toString());
    }

    @Test
    void anUnknownSettingIsAUsageError() {
        Cli.Result r = cli.jvm("-Dfiresafe.bogus=1").run("list", "--target", tmp.resolve("b").toString());
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.stderr().contains("firesafe: configuration:") && r.stderr().contains("firesafe.bogus"),
                r.toString());
    }
}
