package dev.firesafe.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A packaged {@code serve} process on a port of its own choosing ({@code quarkus.http.port=0}): started, waited
 * for by its log line, talked to over HTTP, killed. Its log is a file, so tests wait on lines, never on time.
 */
public final class Host implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LISTENING = Pattern.compile("Listening on: (http://[0-9.:\\[\\]]+)");
    private static final Duration START = Duration.ofSeconds(90);

    private final Process process;
    private final Path log;
    private final HttpClient http = HttpClient.newHttpClient();
    private String base;
    private String token;

    private Host(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts {@code serve ARGS} and waits until the host says it is ready (or the process exits). */
    public static Host start(Cli cli, Path workDir, String... args) throws IOException {
        Host host = launch(cli, workDir, args);
        host.await("function host ready", START);
        Matcher m = LISTENING.matcher(host.log());
        if (!m.find()) {
            throw new IllegalStateException("no 'Listening on' line:\n" + host.log());
        }
        host.base = m.group(1);
        return host;
    }

    /** Starts {@code serve ARGS} without waiting for it. */
    public static Host launch(Cli cli, Path workDir, String... args) throws IOException {
        Path log = Files.createTempFile(workDir, "serve", ".log");
        String[] command = new String[args.length + 1];
        command[0] = "serve";
        System.arraycopy(args, 0, command, 1, args.length);
        cli.jvm("-Dquarkus.http.port=0");
        Process p = cli.builder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new Host(p, log);
    }

    public Host token(String bearer) {
        this.token = bearer;
        return this;
    }

    public String log() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits until the log contains {@code text}; fails with the log if the process ends or time runs out. */
    public void await(String text, Duration timeout) {
        awaitCondition(() -> log().contains(text), timeout, "log line '" + text + "'");
    }

    public void awaitCondition(BooleanSupplier condition, Duration timeout, String what) {
        Instant deadline = Instant.now().plus(timeout);
        while (!condition.getAsBoolean()) {
            if (!process.isAlive() && !condition.getAsBoolean()) {
                throw new AssertionError("serve exited (" + process.exitValue() + ") before " + what + ":\n" + log());
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("timed out waiting for " + what + ":\n" + log());
            }
            Thread.onSpinWait();
            try {
                process.waitFor(50, TimeUnit.MILLISECONDS); // returns early if the process ends
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted");
            }
        }
    }

    /** Waits for the process to end by itself and returns its exit code. */
    public int exitCode(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("serve did not exit:\n" + log());
        }
        return process.exitValue();
    }

    public record Response(int status, String body) {
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body);
            }
        }
    }

    public Response get(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET(), Map.of());
    }

    public Response post(String path, String body, Map<String, String> headers) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).POST(HttpRequest.BodyPublishers.ofString(body)),
                headers);
    }

    private Response send(HttpRequest.Builder request, Map<String, String> headers) {
        headers.forEach(request::header);
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try {
            HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.body());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The {@code GET /functions} entry of {@code function}. */
    public JsonNode function(String function) {
        for (JsonNode f : get("/functions").json()) {
            if (f.get("name").asText().equals(function)) {
                return f;
            }
        }
        throw new AssertionError("no function " + function + " in GET /functions");
    }

    /** The process started by {@code java -jar} (a bare one runs the host in a child JVM: dev.firesafe.cli.HeapRelaunch). */
    public ProcessHandle handle() {
        return process.toHandle();
    }

    public int port() {
        return URI.create(base).getPort();
    }

    /** SIGKILL: no shutdown hook, no ack, nothing flushed, as a crash or OOM kill. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM, as {@code systemctl stop} or {@code docker stop} sends it: returns the exit code. */
    public int terminate(Duration timeout) throws InterruptedException {
        process.destroy();
        return exitCode(timeout);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
