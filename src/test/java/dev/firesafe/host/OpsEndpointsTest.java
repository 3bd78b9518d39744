package dev.firesafe.host;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.firesafe.core.FiresafeException;
import dev.firesafe.repository.BackupId;
import dev.firesafe.engine.backup.BackupResult;
import dev.firesafe.engine.backup.BackupService;
import dev.firesafe.core.Progress;
import dev.firesafe.crypto.MasterKey;
import dev.firesafe.engine.drill.DrillResult;
import dev.firesafe.engine.drill.DrillService;
import dev.firesafe.plan.Plan;
import dev.firesafe.plan.PlanRepository;
import dev.firesafe.plan.SourceSpec;
import dev.firesafe.testing.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #7 through the HTTP endpoints of the running application: staleness goes DOWN with an old last backup
 * and UP after a run, metrics appear with the right labels after a backup and a drill, a failed backup reaches
 * the webhook. One application start for all of it (each start costs ~10 s on these machines).
 */
@QuarkusTest
@TestProfile(OpsEndpointsTest.Setup.class)
class OpsEndpointsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final MasterKey KEY = MasterKey.generate(65536);
    private static final Path ROOT;
    private static final HttpServer WEBHOOK;
    private static final BlockingQueue<byte[]> NOTIFICATIONS = new LinkedBlockingQueue<>();
    /** An id from 2020: far older than twice the one-hour schedule below. */
    private static final String OLD_ID = "20200101T000000.000Z-00000000";

    static {
        try {
            ROOT = Files.createTempDirectory("firesafe-ops-test").toRealPath();
            WEBHOOK = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            WEBHOOK.createContext("/notify/token-123", exchange -> {
                NOTIFICATIONS.add(exchange.getRequestBody().readAllBytes());
                exchange.sendResponseHeaders(204, -1);
                exchange.close();
            });
            WEBHOOK.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A function "nightly" (timer every 1h) whose only backup on its target is years old. */
    public static class Setup implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                Files.createDirectories(ROOT.resolve("functions"));
                Files.createDirectories(ROOT.resolve("data/docs"));
                Files.writeString(ROOT.resolve("data/docs/a.txt"), "alpha");
                Files.writeString(ROOT.resolve("data/b.bin"), "beta".repeat(1000));
                Files.writeString(ROOT.resolve("functions/nightly.yaml"), """
                        plan:
                          sources:
                            - path: %s
                          targets: [%s]
                        triggers:
                          - type: timer
                            every: 1h
                        """.formatted(ROOT.resolve("data"), ROOT.resolve("target")));
                Files.createDirectories(ROOT.resolve("target/nightly"));
                Files.write(ROOT.resolve("target/nightly/" + OLD_ID + ".firesafe"), new byte[0]);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Map<String, String> config = Fixtures.appConfig(KEY, ROOT);
            config.put("firesafe.notify.url", "http://127.0.0.1:" + WEBHOOK.getAddress().getPort()
                    + "/notify/token-123");
            return config;
        }
    }

    @Inject
    BackupService backups;

    @Inject
    DrillService drills;

    @Inject
    PlanRepository plans;

    @AfterAll
    static void stopWebhook() {
        WEBHOOK.stop(0);
    }

    private static JsonNode check(JsonNode health, String name) {
        for (JsonNode c : health.get("checks")) {
            if (c.get("name").asText().equals(name)) {
                return c;
            }
        }
        throw new AssertionError("no check '" + name + "' in " + health);
    }

    private static JsonNode health(String path, int expectedStatus) throws IOException {
        String body = given().when().get(path).then().statusCode(expectedStatus).extract().asString();
        assertFalse(body.contains(KEY.toEscrowText()), "no key material in health output");
        return JSON.readTree(body);
    }

    /** The value of the sample {@code series} (name and labels exactly) in Prometheus text output. */
    private static double value(String metrics, String series) {
        for (String line : metrics.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).strip());
            }
        }
        throw new AssertionError("no sample " + series + " in\n" + metrics);
    }

    @Test
    void healthMetricsAndNotificationsFollowRealRuns() throws Exception {
        JsonNode live = health("/q/health/live", 200);
        assertEquals("UP", check(live, "firesafe").get("status").asText());
        JsonNode ready = health("/q/health/ready", 200);
        assertEquals("UP", check(ready, "functions").get("status").asText());
        assertEquals("UP", check(ready, "keys").get("status").asText());
        assertEquals("UP", check(ready, "targets").get("status").asText());

        JsonNode stale = health("/q/health", 503);
        JsonNode age = check(stale, "backup-age nightly");
        assertEquals("DOWN", age.get("status").asText(), age.toString());
        assertEquals(7200, age.get("data").get("max-age-seconds").asLong());
        assertTrue(age.get("data").get("age-seconds").asLong() > 365L * 24 * 3600, age.toString());

        Plan nightly = plans.find("nightly", false);
        BackupResult run = backups.run(nightly, Progress.NONE);
        assertTrue(run.ok());

        JsonNode fresh = health("/q/health", 200);
        JsonNode freshAge = check(fresh, "backup-age nightly");
        assertEquals("UP", freshAge.get("status").asText(), freshAge.toString());
        assertTrue(freshAge.get("data").get("age-seconds").asLong() < 600, freshAge.toString());

        DrillResult drill = drills.drill(nightly, null, null);
        assertTrue(drill.ok(), drill.toString());

        String target = run.targets().get(0).target();
        String labels = "function=\"nightly\",result=\"ok\",target=\"" + target + "\"";
        String metrics = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.contains("firesafe_backup_runs_total{" + labels + "} 1.0"), metrics);
        assertTrue(metrics.contains("firesafe_drill_runs_total{" + labels + "} 1.0"), metrics);
        String fnTarget = "{function=\"nightly\",target=\"" + target + "\"}";
        assertTrue(metrics.contains("firesafe_drill_last_result" + fnTarget + " 1.0"), metrics);
        assertTrue(metrics.contains("firesafe_backup_last_success_timestamp_seconds" + fnTarget), metrics);
        assertTrue(metrics.contains("firesafe_backup_last_size_bytes" + fnTarget + " " + (double) run.bytesOut()),
                metrics);
        assertTrue(metrics.contains("firesafe_backup_read_bytes_total{function=\"nightly\"} "
                + (double) run.bytesIn()), metrics);
        assertTrue(metrics.contains("firesafe_backup_files_total{function=\"nightly\"} 2.0"), metrics);
        assertTrue(metrics.contains("firesafe_backup_duration_seconds_count{function=\"nightly\"} 1"), metrics);
        double newest = BackupId.time(run.id()).toEpochMilli() / 1000.0;
        assertEquals(newest, value(metrics, "firesafe_backup_newest_timestamp_seconds" + fnTarget), 0.001,
                "the newest backup as the target lists it");

        // a failed backup is announced to the webhook; the successful run and drill above were not (on-success off)
        Plan broken = nightly.withSources(List.of(SourceSpec.of(ROOT.resolve("missing").toString())));
        assertThrows(FiresafeException.class, () -> backups.run(broken, Progress.NONE));
        byte[] first = NOTIFICATIONS.poll(30, TimeUnit.SECONDS);
        assertNotNull(first, "the webhook got the failure");
        JsonNode note = JSON.readTree(first);
        assertEquals("backup.failed", note.get("event").asText(), note.toString());
        assertEquals("nightly", note.get("function").asText());
        assertEquals(6, note.get("exitCode").asInt());
        assertTrue(NOTIFICATIONS.isEmpty(), "nothing else was sent");
        String afterFailure = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(afterFailure.contains("firesafe_backup_runs_total{function=\"nightly\",result=\"failed\",target=\""
                + target + "\"} 1.0"), afterFailure);
    }
}
