package dev.firesafe.host.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.firesafe.core.ExitCode;
import dev.firesafe.core.FiresafeException;
import dev.firesafe.engine.backup.BackupFinished;
import dev.firesafe.engine.backup.BackupResult;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** When the notifier sends, where it takes the URL from, and that it never shows the URL. */
class NotifierTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private HttpServer server;
    private final BlockingQueue<String> events = new LinkedBlockingQueue<>();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/hook", exchange -> {
            events.add(JSON.readTree(exchange.getRequestBody().readAllBytes()).get("event").asText());
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private static Notifier notifier(Map<String, String> values) {
        NotifyConfig config = new SmallRyeConfigBuilder().withMapping(NotifyConfig.class)
                .withConverter(Duration.class, 200, new io.quarkus.runtime.configuration.DurationConverter())
                .withSources(new PropertiesConfigSource(values, "test", 500)).build()
                .getConfigMapping(NotifyConfig.class);
        return new Notifier(config);
    }

    private static BackupFinished finished(boolean ok) {
        BackupResult result = new BackupResult("20261124T010000.000Z-00000000", "vault", 10, 20, 1, 5, "zstd",
                List.of(new BackupResult.TargetResult("file:///t/", "vault/x.firesafe", ok, ok ? null : "full",
                        List.of(), null)), List.of());
        return new BackupFinished("vault", result, ok ? null : "failed on [file:///t/]",
                ok ? ExitCode.OK : ExitCode.TARGET, Instant.now(), Duration.ofMillis(5), List.of("file:///t/"));
    }

    @Test
    void urlFromAFileAndOnlyFailuresByDefault() throws Exception {
        Path secret = tmp.resolve("notify-url");
        Files.writeString(secret, "http://127.0.0.1:" + server.getAddress().getPort() + "/hook\n");
        Notifier notifier = notifier(Map.of("firesafe.notify.url-file", secret.toString()));

        notifier.backupFinished(finished(true));
        notifier.backupFinished(finished(false));

        assertEquals("backup.failed", events.poll(30, TimeUnit.SECONDS), "the success was not sent, the failure was");
        assertTrue(events.isEmpty());
    }

    @Test
    void successesTooWhenAskedFor() throws Exception {
        Notifier notifier = notifier(Map.of("firesafe.notify.url", "http://127.0.0.1:"
                + server.getAddress().getPort() + "/hook", "firesafe.notify.on-success", "true"));
        notifier.backupFinished(finished(true));
        assertEquals("backup.completed", events.poll(30, TimeUnit.SECONDS));
    }

    @Test
    void aBadUrlIsRefusedWithoutShowingIt() {
        Notifier notifier = notifier(Map.of("firesafe.notify.url", "hooks.example.net/T0KEN-s3cr3t"));
        FiresafeException e = assertThrows(FiresafeException.class, () -> notifier.backupFinished(finished(false)));
        assertEquals(ExitCode.USAGE, e.exitCode());
        assertFalse(e.getMessage().contains("s3cr3t"), e.getMessage());
        assertTrue(e.getMessage().contains("FIRESAFE_NOTIFY_URL"), e.getMessage());
    }

    @Test
    void withoutAUrlNothingIsSent() {
        notifier(Map.of()).backupFinished(finished(false));
        // sending is synchronous: had anything been sent, the server would have queued it before answering
        assertTrue(events.isEmpty());
    }
}
