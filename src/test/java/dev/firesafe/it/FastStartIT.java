package dev.firesafe.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.firesafe.testing.Cli;
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
        Cli.Result backup = cli.run("backup", "--source", data.toString(), "--target", target, "--json");
        assertEquals(0, backup.exitCode(), backup.toString());
        assertTrue(backup.stderr().contains(FAST), backup.toString());
        assertTrue(JSON.readTree(backup.stdout()).get("ok").asBoolean(), backup.toString());

        Cli.Result restore = cli.run("restore", "latest", "--to", tmp.resolve("out").toString(), "--target", target);
        assertEquals(0, restore.exitCode(), restore.toString());
        assertTrue(restore.stderr().contains(FAST), restore.toString());
        assertEquals("alpha", Files.readString(tmp.resolve("out").resolve(data.getFileName()).resolve("a.txt")));

        Files.createDirectories(tmp.resolve("functions"));
        Files.writeString(tmp.resolve("functions/app.yaml"), "plan:\n  sources:\n    - path: " + data
                + "\n  targets:\n    - " + target + "\ntriggers:\n  - type: timer\n    every: 6h\n");
        Cli.Result run = cli.run("run-function", "app", "--json");
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.stderr().contains(FAST), run.toString());
        assertEquals("SUCCEEDED", JSON.readTree(run.stdout()).get("status").asText(), run.toString());
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
