package dev.firesafe.testing;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A secrets service on 127.0.0.1 that answers {@code GET PATH} with a token as plain text, after leaving its
 * first {@code hanging} requests unanswered (like a vault still booting) until {@link #close()}.
 */
public final class SecretsService implements AutoCloseable {

    public static final String PATH = "/v1/secret/github";

    private final HttpServer server;
    private final ExecutorService threads = Executors.newFixedThreadPool(8);
    private final CountDownLatch release = new CountDownLatch(1);
    private final AtomicInteger requests = new AtomicInteger();

    public SecretsService(String token, int hanging) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext(PATH, ex -> {
            try (ex) {
                if (requests.incrementAndGet() <= hanging) {
                    release.await(60, TimeUnit.SECONDS);
                }
                byte[] body = (token + "\n").getBytes(StandardCharsets.UTF_8);
                ex.sendResponseHeaders(200, body.length);
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(body);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        server.setExecutor(threads);
        server.start();
    }

    /** The token's URL, with a query as some services use (it must never be shown). */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + PATH + "?key=GITHUB_TOKEN";
    }

    public int requests() {
        return requests.get();
    }

    @Override
    public void close() {
        release.countDown();
        server.stop(0);
        threads.shutdownNow();
    }
}
