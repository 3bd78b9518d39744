package dev.firesafe.testing;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real S3-compatible server for tests: Adobe S3Mock's runnable jar (copied to target/s3mock by the build),
 * started as a separate process. Its main connector is plain HTTP on 127.0.0.1 (SSL off, server.address set);
 * S3Mock 4.11.0 always opens a second plain-HTTP connector ({@code com.adobe.testing.s3mock.http-port}) on every
 * interface with no address setting, so that one gets a free port and is never used by the tests.
 * S3Mock does not check credentials; {@link LoopbackProxy} stands in for that where a test needs it.
 */
public final class S3Mock implements AutoCloseable {
    public static final String BUCKET = "firesafe-test";

    private final Process process;
    private final int port;

    private S3Mock(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    public static S3Mock start(Path dir) throws IOException, InterruptedException {
        Path jar = Path.of(System.getProperty("s3mock.jar", "target/s3mock/s3mock.jar")).toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("S3Mock jar missing: " + jar + " (run ./mvnw verify)");
        }
        int port = freePort();
        int unusedPort = freePort();
        Path store = Files.createDirectories(dir.resolve("s3-store"));
        Path log = dir.resolve("s3mock.log");
        Process p = new ProcessBuilder(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-jar", jar.toString(),
                "--server.address=127.0.0.1", "--server.port=" + port, "--server.ssl.enabled=false",
                "--com.adobe.testing.s3mock.http-port=" + unusedPort,
                "--com.adobe.testing.s3mock.store.root=" + store,
                "--com.adobe.testing.s3mock.store.initial-buckets=" + BUCKET))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        S3Mock s3 = new S3Mock(p, port);
        Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
        while (!s3.ready()) {
            if (!p.isAlive() || Instant.now().isAfter(deadline)) {
                s3.close();
                throw new IllegalStateException("S3Mock did not start; log:\n" + Files.readString(log));
            }
            p.waitFor(200, TimeUnit.MILLISECONDS); // returns at once if it died
        }
        return s3;
    }

    private boolean ready() {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(endpoint() + "/" + BUCKET).toURL().openConnection();
            c.setConnectTimeout(1000);
            c.setReadTimeout(2000);
            int status = c.getResponseCode();
            c.disconnect();
            return status == 200;
        } catch (IOException e) {
            return false;
        }
    }

    public int port() {
        return port;
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
