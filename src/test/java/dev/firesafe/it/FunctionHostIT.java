package dev.firesafe.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.firesafe.archive.Compression;
import dev.firesafe.crypto.MasterKey;
import dev.firesafe.testing.Cli;
import dev.firesafe.testing.CraftedBackups;
import dev.firesafe.testing.Functions;
import dev.firesafe.testing.Host;
import dev.firesafe.testing.StartedHosts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The function host (issue #5) in the packaged jar: startup trigger and catch-up, timers that never overlap,
 * HTTP and CloudEvents triggers with and without a token (and CloudEvents without it when told, as Knative
 * Eventing delivers them), one-shot commands that open no port, run-function.
 */
class FunctionHostIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    private Cli cli;
    private MasterKey key;
    private Path functions;
    private Path target;
    private Path data;
    private final StartedHosts hosts = new StartedHosts();

    @BeforeEach
    void setUp() throws IOException {
        key = MasterKey.generate(65536);
        cli = new Cli(tmp).env("FIRESAFE_MASTER_KEY", key.toEscrowText());
        functions = tmp.resolve("fns");
        target = tmp.resolve("backups");
        data = Files.createDirectories(tmp.resolve("data"));
        Files.writeString(data.resolve("notes.txt"), "keep me");
    }

    @AfterEach
    void tearDown() throws Exception {
        hosts.stopAll();
    }

    private Host serve(String... args) throws IOException {
        return hosts.start(cli, tmp, args);
    }

    private Path control(String name) {
        return hosts.control(tmp.resolve(name));
    }

    private void awaitLastRun(Host host, String function, String status) {
        host.awaitCondition(() -> {
            JsonNode last = host.function(function).get("lastRun");
            return last != null && !last.isNull() && last.get("status").asText().equals(status);
        }, WAIT, function + " last run " + status);
    }

    @Test
    void startupTriggerAndCatchUpFireInThePackagedApp() throws Exception {
        String timerAndCatchUp = "  - type: timer\n    every: 1d\n  - type: startup\n    catch-up: true\n";
        Functions.write(functions, "none", data, target, timerAndCatchUp);
        Functions.write(functions, "old", data, target, timerAndCatchUp);
        Functions.write(functions, "fresh", data, target, timerAndCatchUp);
        Functions.write(functions, "plain", data, target, "  - type: startup\n    delay: 1s\n");
        CraftedBackups.write(target, "old", key, Compression.ZSTD, Instant.now().minus(Duration.ofDays(2)), out -> {
        });
        CraftedBackups.write(target, "fresh", key, Compression.ZSTD, Instant.now().minus(Duration.ofHours(2)),
                out -> {
                });

        Host host = serve("--functions", functions.toString());
        for (String f : List.of("none", "old", "fresh")) {
            host.await("function " + f + " (plan " + f + "): registered trigger: startup (catch-up only)", WAIT);
        }
        awaitLastRun(host, "none", "SUCCEEDED");
        awaitLastRun(host, "old", "SUCCEEDED");
        awaitLastRun(host, "plain", "SUCCEEDED");
        host.await("function fresh: startup catch-up not needed", WAIT);
        String log = host.log();
        assertTrue(log.contains("function none: startup catch-up: no backup of plan 'none'"), log);
        assertTrue(log.contains("function old: startup catch-up: newest backup on"), log);

        assertEquals(1, Functions.backups(target, "none"));
        assertEquals(2, Functions.backups(target, "old"), "catch-up ran once; the 1d timer did not fire at start");
        assertEquals(1, Functions.backups(target, "fresh"), "no catch-up over a fresh backup");
        assertEquals(1, Functions.backups(target, "plain"));
        JsonNode fresh = host.function("fresh");
        assertTrue(fresh.get("lastRun").isNull(), fresh.toString());
        Instant next = Instant.parse(fresh.get("nextFire").asText());
        assertTrue(next.isAfter(Instant.now().plus(Duration.ofHours(23))), "next timer fire " + next);
    }

    @Test
    void aTargetThatDoesNotAnswerDelaysOnlyItsOwnFunctionsStartupTrigger() throws Exception {
        // a NAS that accepts connections and never answers (half up, or a hung proxy): listing it for the catch-up
        // decision takes minutes of timeouts and retries; the other functions' startup triggers must not wait
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Files.createDirectories(functions);
            Files.writeString(functions.resolve("a-nas.yaml"), "plan:\n  sources: [{path: " + data + "}]\n"
                    + "  targets: [s3://backups/nas]\ntriggers:\n  - type: startup\n    catch-up: true\n");
            Functions.write(functions, "b-local", data, target, "  - type: startup\n    catch-up: true\n");
            cli.env("FIRESAFE_S3_ENDPOINT", "http://127.0.0.1:" + silent.getLocalPort())
                    .env("FIRESAFE_S3_PATH_STYLE", "true").env("AWS_ACCESS_KEY_ID", "firesafe-id")
                    .env("AWS_SECRET_ACCESS_KEY", "firesafe-secret").env("AWS_REGION", "us-east-1");
            Host host = serve("--functions", functions.toString());

            awaitLastRun(host, "b-local", "SUCCEEDED");
            assertEquals(1, Functions.backups(target, "b-local"));
        }
    }

    @Test
    void aTimerNeverOverlapsARunAndCountsWhatItSkipped() throws Exception {
        Path control = control("held");
        Functions.writeHeld(functions, "slow", control, target, "  - type: timer\n    every: 1s\n");
        Host host = serve("--functions", functions.toString());

        host.awaitCondition(() -> Functions.started(control) == 1, WAIT, "the first timer run");
        host.awaitCondition(() -> host.function("slow").get("skipped").asLong() >= 2, WAIT, "two skipped fires");
        assertEquals(1, Functions.started(control), "a second run started while the first was going");
        assertEquals("RUNNING", host.function("slow").get("running").get("status").asText());

        Functions.release(control);
        awaitLastRun(host, "slow", "SUCCEEDED");
        assertFalse(Files.exists(control.resolve("overlap")), "two runs overlapped");
        assertTrue(host.log().contains("function slow: timer trigger skipped, a run is going"), host.log());
    }

    @Test
    void aHostStoppedInTheMiddleOfABackupRunsTheAfterHooksAndKeepsThePreviousBackupLatest() throws Exception {
        // `before` pauses an application and `after` resumes it: a `systemctl stop` or `docker stop` of the host
        // while the backup runs must not leave the application paused
        Path control = control("held");
        Path status = tmp.resolve("after-status");
        Functions.writeHeld(functions, "app", control, target, "  after: \"printf %s $FIRESAFE_BACKUP_STATUS > "
                + status + "\"\n", "  - type: http\n");
        CraftedBackups.write(target, "app", key, Compression.ZSTD, Instant.now().minus(Duration.ofHours(1)),
                out -> {
                });
        Host host = serve("--functions", functions.toString());
        assertEquals(202, host.post("/functions/app", "", Map.of()).status());
        host.awaitCondition(() -> Functions.started(control) == 1, WAIT, "the backup's command source");

        int exit = host.terminate(WAIT);

        assertTrue(Files.exists(status), "the after hook did not run before the host exited:\n" + host.log());
        assertEquals("failed", Files.readString(status));
        assertEquals(1, Functions.backups(target, "app"), "only the previous backup is listed");
        assertEquals(143, exit, "the usual exit status of a process stopped by SIGTERM");
        assertTrue(host.log().contains("STOPPED") && host.log().contains("no backup was made"), host.log());
        // said before Quarkus closed its logging, which marks later lines "[Error Occurred After Shutdown]"
        assertFalse(host.log().contains("After Shutdown"), host.log());
        assertFalse(host.log().contains("reporting run"), "the run's event found its channel:\n" + host.log());
    }

    @Test
    void aHostStoppedInTheMiddleOfABackupKillsTheRunningCommandSourceAndWhatItStarted() throws Exception {
        // a dump that is not writing just then would never notice that Firesafe is gone, and run on for hours
        Path control = control("held");
        Functions.writeHeld(functions, "dump", control, target, "  - type: http\n");
        Host host = serve("--functions", functions.toString());
        assertEquals(202, host.post("/functions/dump", "", Map.of()).status());
        host.awaitCondition(() -> Functions.started(control) == 1, WAIT, "the backup's command source");
        List<ProcessHandle> command = Functions.heldProcesses(control);
        assertTrue(command.size() >= 2, "the command's shell and the loop it started: " + command);

        assertEquals(143, host.terminate(WAIT));

        Instant deadline = Instant.now().plus(WAIT);
        for (ProcessHandle p : command) {
            try {
                p.onExit().get(Math.max(0, Duration.between(Instant.now(), deadline).toMillis()),
                        TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                fail("process " + p.pid() + " of the command source outlived the host");
            }
        }
    }

    @Test
    void httpTriggersNeedTheTokenWhenOneIsSet() throws Exception {
        String token = "s3cret-" + Long.toHexString(System.nanoTime());
        Functions.write(functions, "web", data, target, "  - type: http\n");
        cli.env("FIRESAFE_HTTP_TOKEN", token);
        Host host = serve("--functions", functions.toString());

        assertEquals(401, host.get("/functions").status());
        assertEquals(401, host.post("/functions/web", "", Map.of()).status());
        // a valid CloudEvent for a function with an http trigger: refused for the token, not for its content
        // (firesafe.http.cloudevents-without-token is off by default)
        assertEquals(401, host.post("/", KNATIVE_BODY, knativeDelivery("e0")).status());
        assertEquals(401, host.post("/", "{\"specversion\":\"1.0\",\"id\":\"e1\",\"source\":\"/zfs\","
                + "\"type\":\"snapshot.completed\",\"subject\":\"web\"}",
                Map.of("Content-Type", "application/cloudevents+json")).status());
        host.token("wrong");
        assertEquals(401, host.post("/functions/web", "", Map.of()).status());
        assertEquals(0, Functions.backups(target, "web"), "a refused request started a run");

        host.token(token);
        Host.Response accepted = host.post("/functions/web", "", Map.of());
        assertEquals(202, accepted.status(), accepted.body());
        String runId = accepted.json().get("runId").asText();
        host.awaitCondition(() -> host.get("/runs/" + runId).json().get("status").asText().equals("SUCCEEDED"),
                WAIT, "run " + runId);
        JsonNode run = host.get("/runs/" + runId).json();
        assertEquals("http", run.get("trigger").asText());
        assertTrue(run.get("bytes").asLong() > 0, run.toString());
        assertTrue(Files.exists(target.resolve("web/" + run.get("backupId").asText() + ".firesafe")));
        assertEquals(404, host.get("/runs/no-such-run").status());
        assertEquals(404, host.post("/functions/nope", "", Map.of()).status());
        assertFalse(host.log().contains(token), "the token was logged");
    }

    /** The body of a binary-mode CloudEvent as a Knative Broker delivers it. */
    private static final String KNATIVE_BODY = "{\"snapshot\":\"s1\"}";

    /** The headers of a binary-mode delivery from a Knative Trigger: {@code ce-*}, and no Authorization. */
    private static Map<String, String> knativeDelivery(String id) {
        return Map.of("Content-Type", "application/json", "ce-specversion", "1.0", "ce-id", id,
                "ce-source", "/apis/v1/namespaces/db/snapshots", "ce-type", "snapshot.completed", "ce-subject", "web");
    }

    @Test
    void withCloudEventsWithoutTokenAKnativeDeliveryStartsARunAndEverythingElseStillNeedsTheToken()
            throws Exception {
        // the settings of deploy/knative/service.yaml: the token from a file, CloudEvents accepted without it
        String token = "s3cret-" + Long.toHexString(System.nanoTime());
        Path tokenFile = Files.writeString(tmp.resolve("http-token"), token + "\n");
        Functions.write(functions, "web", data, target, "  - type: http\n");
        Functions.write(functions, "quiet", data, target, "  - type: message\n");
        cli.env("FIRESAFE_HTTP_TOKEN_FILE", tokenFile.toString())
                .env("FIRESAFE_HTTP_CLOUDEVENTS_WITHOUT_TOKEN", "true");
        Host host = serve("--functions", functions.toString());
        assertTrue(host.log().contains("WARN  [FunctionHost] firesafe.http.cloudevents-without-token=true: "
                + "CloudEvents on POST / are accepted without the bearer token"), host.log());

        Host.Response delivered = host.post("/", KNATIVE_BODY, knativeDelivery("k1"));
        assertEquals(202, delivered.status(), delivered.body());
        String runId = delivered.json().get("runId").asText();
        assertEquals("web", delivered.json().get("function").asText());
        Host.Response structured = host.post("/", "{\"specversion\":\"1.0\",\"id\":\"k2\",\"source\":\"/db\","
                + "\"type\":\"snapshot.completed\",\"subject\":\"web\"}",
                Map.of("Content-Type", "application/cloudevents+json"));
        assertEquals(202, structured.status(), structured.body());
        // Knative's OIDC sender identity adds its own bearer JWT: not Firesafe's token, and not refused for it
        Host.Response oidc = host.post("/", KNATIVE_BODY, withHeader(knativeDelivery("k3"), "Authorization",
                "Bearer eyJhbGciOiJSUzI1NiJ9.e30.c2ln"));
        assertEquals(202, oidc.status(), oidc.body());

        // every other trigger endpoint still needs the token
        assertEquals(401, host.post("/functions/web", "", Map.of()).status());
        assertEquals(401, host.get("/functions").status());
        assertEquals(401, host.get("/runs/" + runId).status());
        // and a CloudEvent still starts only a function that declares an http trigger
        Host.Response quiet = host.post("/", "", Map.of("ce-specversion", "1.0", "ce-id", "k4", "ce-source", "/x",
                "ce-type", "t", "ce-subject", "quiet"));
        assertEquals(400, quiet.status(), quiet.body());
        // health and metrics are as before: open
        assertEquals(200, host.get("/q/health/live").status());
        assertEquals(200, host.get("/q/metrics").status());

        host.token(token);
        host.awaitCondition(() -> host.get("/runs/" + runId).json().get("status").asText().equals("SUCCEEDED"),
                WAIT, "run " + runId);
        assertEquals("cloudevent", host.get("/runs/" + runId).json().get("trigger").asText());
        awaitIdle(host, "web");
        assertTrue(Functions.backups(target, "web") >= 1 && Functions.backups(target, "web") <= 2,
                "three coalesced events: one run, at most one more after it");
        assertEquals(0, Functions.backups(target, "quiet"));
        assertFalse(host.log().contains(token), "the token was logged");
    }

    private static Map<String, String> withHeader(Map<String, String> headers, String name, String value) {
        Map<String, String> all = new java.util.HashMap<>(headers);
        all.put(name, value);
        return all;
    }

    /** Waits until {@code function} has nothing running or queued. */
    private void awaitIdle(Host host, String function) {
        host.awaitCondition(() -> {
            JsonNode f = host.function(function);
            return isNone(f.get("running")) && isNone(f.get("queued"));
        }, WAIT, function + " idle");
    }

    private static boolean isNone(JsonNode node) {
        return node == null || node.isNull();
    }

    @Test
    void cloudEventsInBinaryAndStructuredModeStartRuns() throws Exception {
        Functions.write(functions, "web", data, target, "  - type: http\n");
        Functions.write(functions, "quiet", data, target, "  - type: message\n");
        Host host = serve("--functions", functions.toString());

        Host.Response binary = host.post("/", "{\"snapshot\":\"s1\"}", Map.of("Content-Type", "application/json",
                "ce-specversion", "1.0", "ce-id", "e1", "ce-source", "/zfs", "ce-type", "snapshot.completed",
                "ce-subject", "web"));
        assertEquals(202, binary.status(), binary.body());
        awaitLastRun(host, "web", "SUCCEEDED");

        Host.Response structured = host.post("/", "{\"specversion\":\"1.0\",\"id\":\"e2\",\"source\":\"/zfs\","
                + "\"type\":\"snapshot.completed\",\"subject\":\"web\"}",
                Map.of("Content-Type", "application/cloudevents+json"));
        assertEquals(202, structured.status(), structured.body());
        String id = structured.json().get("runId").asText();
        host.awaitCondition(() -> host.get("/runs/" + id).json().get("status").asText().equals("SUCCEEDED"), WAIT,
                "structured run");
        assertEquals(2, Functions.backups(target, "web"));

        Host.Response noSubject = host.post("/", "{\"specversion\":\"1.0\",\"id\":\"e3\",\"source\":\"/zfs\","
                + "\"type\":\"snapshot.completed\"}", Map.of("Content-Type", "application/cloudevents+json"));
        assertEquals(400, noSubject.status());
        assertTrue(noSubject.body().contains("'subject' is missing"), noSubject.body());
        assertEquals(400, host.post("/", "not json", Map.of("Content-Type", "application/cloudevents+json"))
                .status());
        // triggers are explicit: a function without `type: http` is not started over HTTP
        Host.Response quiet = host.post("/", "", Map.of("ce-specversion", "1.0", "ce-id", "e4", "ce-source", "/x",
                "ce-type", "t", "ce-subject", "quiet"));
        assertEquals(400, quiet.status());
        assertTrue(quiet.body().contains("function 'quiet' has no http trigger"), quiet.body());
        assertEquals(403, host.post("/functions/quiet", "", Map.of()).status());
        assertEquals(0, Functions.backups(target, "quiet"));
    }

    @Test
    void oneShotCommandsOpenNoPortBesideARunningHost() throws Exception {
        Functions.write(functions, "web", data, target, "");
        Host host = serve("--functions", functions.toString());
        // the same port as the host: a one-shot command that started an HTTP server would fail to bind it
        cli.jvm("-Dquarkus.http.port=" + host.port());
        Cli.Result backup = cli.run("backup", "--source", data.toString(), "--target", target.toUri().toString());
        assertEquals(0, backup.exitCode(), backup.toString());
        Cli.Result ok = new Cli(tmp).env("FIRESAFE_MASTER_KEY", key.toEscrowText())
                .jvm("-Dquarkus.http.port=" + host.port()).env("FIRESAFE_FUNCTIONS_DIR", functions.toString())
                .run("run-function", "web");
        assertEquals(0, ok.exitCode(), ok.toString());
        assertTrue(ok.stdout().contains("function web: backup "), ok.toString());
        assertEquals(200, host.get("/functions").status(), "the host still answers");
    }

    @Test
    void runFunctionExitsWithTheBackupsExitCode() throws Exception {
        Functions.write(functions, "gone", tmp.resolve("no-such-folder"), target, "");
        cli.env("FIRESAFE_FUNCTIONS_DIR", functions.toString());
        Cli.Result failed = cli.run("run-function", "gone");
        assertEquals(6, failed.exitCode(), failed.toString());
        assertTrue(failed.stderr().contains("function gone failed"), failed.toString());
        Cli.Result missing = cli.run("run-function", "nope");
        assertEquals(2, missing.exitCode(), missing.toString());
    }

    @Test
    void anInvalidFunctionFileOrAnOpenHostWithoutTokenRefusesToStart() throws Exception {
        Files.createDirectories(functions);
        Files.writeString(functions.resolve("bad.yaml"), "plan:\n  sources: [{path: /srv}]\ntriggers:\n"
                + "  - type: timer\n    cron: \"every day\"\n");
        Host bad = hosts.keep(Host.launch(cli, tmp, "--functions", functions.toString()));
        assertEquals(2, bad.exitCode(WAIT));
        assertTrue(bad.log().contains("bad.yaml: triggers[0]: cron 'every day'"), bad.log());

        Files.delete(functions.resolve("bad.yaml"));
        Functions.write(functions, "web", data, target, "");
        Host open = hosts.keep(Host.launch(cli.jvm("-Dquarkus.http.host=0.0.0.0"), tmp, "--functions",
                functions.toString()));
        assertEquals(2, open.exitCode(WAIT));
        assertTrue(open.log().contains("is not a loopback address: set a bearer token"), open.log());
        // refused before Quarkus started, so the port was never open, not even for a moment
        assertFalse(open.log().contains("Listening on") || open.log().contains("[quarkus]"), open.log());

        // a webhook URL that can never be used: failures would go unannounced, so the host does not start
        String hook = "hooks.example.com/services/T0/B0/s3cret-" + Long.toHexString(System.nanoTime());
        Host unusableWebhook = hosts.keep(Host.launch(new Cli(tmp).env("FIRESAFE_MASTER_KEY", key.toEscrowText())
                .env("FIRESAFE_NOTIFY_URL", hook), tmp, "--functions", functions.toString()));
        assertEquals(2, unusableWebhook.exitCode(WAIT));
        assertTrue(unusableWebhook.log().contains("FIRESAFE_NOTIFY_URL is not an http(s) URL"),
                unusableWebhook.log());
        assertFalse(unusableWebhook.log().contains("s3cret"), "the webhook URL is a secret");

        // accepting CloudEvents without the token does not lift the rule: the other endpoints need one
        Host knative = hosts.keep(Host.launch(cli.env("FIRESAFE_HTTP_CLOUDEVENTS_WITHOUT_TOKEN", "true"), tmp,
                "--functions", functions.toString()));
        assertEquals(2, knative.exitCode(WAIT));
        assertTrue(knative.log().contains("is not a loopback address: set a bearer token"), knative.log());
    }
}
