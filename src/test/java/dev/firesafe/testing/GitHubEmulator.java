package dev.firesafe.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A local GitHub REST API server for tests: the repository-contents endpoints Firesafe uses, on 127.0.0.1 with a
 * free port, following GitHub's documentation where a client could notice the difference:
 * <ul>
 *   <li>{@code Authorization: Bearer TOKEN} (or {@code token TOKEN}) is required: else 401 "Bad credentials"; a
 *       read-only token gets 403 on writes. A User-Agent is required (403 otherwise, as on GitHub).</li>
 *   <li>GET {@code /repos/O/R} and {@code /repos/O/R/branches/B}: 200 or 404.</li>
 *   <li>GET {@code /repos/O/R/contents/PATH?ref=B}: JSON with base64 {@code content} and the file's git blob sha;
 *       files over 1 MB only with the object or raw media types (documented "Size limits"): {@code Accept:
 *       application/vnd.github.object} gives empty content and {@code encoding: none}, the default JSON type
 *       403 {@code too_large}; {@code Accept: application/vnd.github.raw} returns the bytes. 404 for a missing
 *       file, repository or ref.</li>
 *   <li>PUT: JSON {@code message, content (strict base64), sha?, branch?}; creating an existing file without sha
 *       is 422 ("sha" wasn't supplied), a stale sha 409; files over the size limit (100 MB, lower for tests) 422.
 *       DELETE needs the current sha (409 if stale). Writes to one repository are serialized.</li>
 *   <li>Switchable faults, consumed one per request: rate limits (primary: 403 + x-ratelimit-remaining 0 +
 *       x-ratelimit-reset; secondary: 429 + retry-after), 502, dropped connections, and the 409 a write gets when
 *       another client's commit moved the branch meanwhile.</li>
 * </ul>
 * Every request is counted per {@code METHOD contents|raw|repo}; {@link #historyBytes()} sums every blob ever committed
 * (what git history keeps even after deletes).
 */
public final class GitHubEmulator implements AutoCloseable {

    /**
     * {@code BRANCH_MOVED}: a write loses the race against another client's commit to the same branch and is not
     * applied: GitHub answers 409 "is at SHA but expected SHA" even for a new file that no one else touched.
     */
    public enum Fault {
        PRIMARY_RATE_LIMIT, SECONDARY_RATE_LIMIT, SERVER_ERROR, DROP_CONNECTION, BRANCH_MOVED,
        /** GitHub may answer a secondary limit with 403 and no retry-after: clients then wait, doubling. */
        SECONDARY_RATE_LIMIT_WITHOUT_RETRY_AFTER
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DEFAULT_BRANCH = "main";

    private final Object lock = new Object();
    private final String owner;
    private final String repo;
    private final String token;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(4);
    private final Map<String, Map<String, byte[]>> branches = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private final Deque<Fault> faults = new ArrayDeque<>();
    private final AtomicLong historyBytes = new AtomicLong();
    private final java.util.Set<String> droppedPaths = ConcurrentHashMap.newKeySet();
    private volatile String readOnlyToken;
    private volatile long maxFileSize = 100L * 1000 * 1000;
    private volatile int rateLimitSeconds = 30;
    private volatile String faultMethod; // null: faults hit any request
    private volatile Consumer<String> beforeWrite = path -> { };
    private final AtomicLong cutDownloadAfter = new AtomicLong(-1);
    private volatile String lastUserAgent;
    private volatile String lastApiVersion;

    public GitHubEmulator(String owner, String repo, String token) throws IOException {
        this.owner = owner;
        this.repo = repo;
        this.token = token;
        branches.put(DEFAULT_BRANCH, new TreeMap<>());
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public void addBranch(String name) {
        branches.putIfAbsent(name, new TreeMap<>());
    }

    public void readOnlyToken(String value) {
        readOnlyToken = value;
    }

    public void maxFileSize(long bytes) {
        maxFileSize = bytes;
    }

    /** Seconds a rate-limit fault asks the client to wait. */
    public void rateLimitSeconds(int seconds) {
        rateLimitSeconds = seconds;
    }

    /** The next {@code times} requests (of {@code method}, or any if null) get {@code fault}. */
    public synchronized void fail(Fault fault, int times, String method) {
        faultMethod = method;
        for (int i = 0; i < times; i++) {
            faults.add(fault);
        }
    }

    /** Runs before every write is applied, with the repository path; a test can write as "another client". */
    public void beforeWrite(Consumer<String> hook) {
        beforeWrite = hook;
    }

    /**
     * The first raw download longer than {@code bytes} stops after that many bytes of its announced length: the
     * connection closes mid-body, as a network failure does. Once.
     */
    public void cutDownloadOnceAfter(long bytes) {
        cutDownloadAfter.set(bytes);
    }

    /** Writes to {@code path} get no answer: the connection is closed, as by a network failure. */
    public void dropWritesTo(String path) {
        droppedPaths.add(path);
    }

    /** Writes a file as another client would (a commit of its own), bypassing HTTP. */
    public void write(String branch, String path, byte[] content) {
        synchronized (lock) {
            branches.get(branch).put(path, content);
            historyBytes.addAndGet(content.length);
        }
    }

    public byte[] file(String path) {
        return branches.get(DEFAULT_BRANCH).get(path);
    }

    public Map<String, byte[]> files(String branch) {
        synchronized (lock) {
            return new TreeMap<>(branches.get(branch));
        }
    }

    /** Requests of one kind so far, e.g. {@code calls("PUT contents")}, {@code calls("GET raw")}. */
    public int calls(String kind) {
        AtomicInteger n = calls.get(kind);
        return n == null ? 0 : n.get();
    }

    /** Every kind of request so far and how many, for messages. */
    public Map<String, Integer> callCounts() {
        Map<String, Integer> counts = new TreeMap<>();
        calls.forEach((k, v) -> counts.put(k, v.get()));
        return counts;
    }

    public int totalCalls() {
        return calls.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    public void resetCalls() {
        calls.clear();
    }

    public long historyBytes() {
        return historyBytes.get();
    }

    public String lastUserAgent() {
        return lastUserAgent;
    }

    public String lastApiVersion() {
        return lastApiVersion;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String method = ex.getRequestMethod();
            String accept = String.valueOf(ex.getRequestHeaders().getFirst("Accept"));
            boolean raw = accept.contains("vnd.github.raw");
            boolean contents = ex.getRequestURI().getRawPath().contains("/contents/");
            calls.computeIfAbsent(method + (!contents ? " repo" : raw ? " raw" : " contents"),
                    k -> new AtomicInteger()).incrementAndGet();
            byte[] body = ex.getRequestBody().readAllBytes();
            Fault fault = nextFault(method);
            if (fault == Fault.DROP_CONNECTION) {
                return; // closing without an answer: the client sees the connection end
            }
            if (fault != null) {
                answerFault(ex, fault);
                return;
            }
            lastUserAgent = ex.getRequestHeaders().getFirst("User-Agent");
            lastApiVersion = ex.getRequestHeaders().getFirst("X-GitHub-Api-Version");
            if (lastUserAgent == null || lastUserAgent.isBlank()) {
                send(ex, 403, message("Request forbidden by administrative rules. Please make sure your request has"
                        + " a User-Agent header"));
                return;
            }
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            String given = auth == null ? null : auth.replaceFirst("^(Bearer|token) ", "");
            boolean readOnly = given != null && given.equals(readOnlyToken);
            if (given == null || (!given.equals(token) && !readOnly)) {
                send(ex, 401, message("Bad credentials"));
                return;
            }
            String repoPath = "/repos/" + owner + "/" + repo;
            String prefix = repoPath + "/contents/";
            String rawPath = ex.getRequestURI().getRawPath();
            if (method.equals("GET") && (rawPath.equals(repoPath) || rawPath.startsWith(repoPath + "/branches/"))) {
                repository(ex, rawPath.equals(repoPath) ? null : URLDecoder.decode(
                        rawPath.substring((repoPath + "/branches/").length()), StandardCharsets.UTF_8));
                return;
            }
            if (!rawPath.startsWith(prefix)) {
                send(ex, 404, message("Not Found"));
                return;
            }
            String path = URLDecoder.decode(rawPath.substring(prefix.length()).replace("+", "%2B"),
                    StandardCharsets.UTF_8);
            if (!method.equals("GET") && droppedPaths.contains(path)) {
                return; // no answer at all
            }
            switch (method) {
                case "GET" -> get(ex, path, query(ex).getOrDefault("ref", DEFAULT_BRANCH), raw,
                        accept.contains("vnd.github.object"));
                case "PUT", "DELETE" -> {
                    if (readOnly) {
                        send(ex, 403, message("Resource not accessible by personal access token"));
                    } else {
                        write(ex, method, path, body);
                    }
                }
                default -> send(ex, 405, message("Method not allowed"));
            }
        } catch (RuntimeException e) {
            // a bug in the emulator must fail the test loudly, not look like a GitHub answer
            e.printStackTrace();
            throw e;
        }
    }

    private synchronized Fault nextFault(String method) {
        if (faults.isEmpty() || (faultMethod != null && !faultMethod.equals(method))) {
            return null;
        }
        return faults.poll();
    }

    private void answerFault(HttpExchange ex, Fault fault) throws IOException {
        switch (fault) {
            case PRIMARY_RATE_LIMIT -> {
                ex.getResponseHeaders().add("x-ratelimit-limit", "5000");
                ex.getResponseHeaders().add("x-ratelimit-remaining", "0");
                ex.getResponseHeaders().add("x-ratelimit-reset",
                        String.valueOf(Instant.now().getEpochSecond() + rateLimitSeconds));
                send(ex, 403, message("API rate limit exceeded for user ID 1."));
            }
            case SECONDARY_RATE_LIMIT -> {
                ex.getResponseHeaders().add("retry-after", String.valueOf(rateLimitSeconds));
                send(ex, 429, message("You have exceeded a secondary rate limit. Please wait a few minutes before "
                        + "you try again."));
            }
            case SECONDARY_RATE_LIMIT_WITHOUT_RETRY_AFTER -> send(ex, 403, message("You have exceeded a secondary "
                    + "rate limit. Please wait a few minutes before you try again."));
            case SERVER_ERROR -> send(ex, 502, message("Server Error"));
            case BRANCH_MOVED -> send(ex, 409, message("is at " + blobSha(new byte[]{1}) + " but expected "
                    + blobSha(new byte[]{2})));
            default -> throw new IllegalStateException(fault.name());
        }
    }

    private void repository(HttpExchange ex, String branch) throws IOException {
        if (branch == null) {
            send(ex, 200, JSON.createObjectNode().put("full_name", owner + "/" + repo).put("private", true)
                    .put("default_branch", DEFAULT_BRANCH));
        } else if (branches.containsKey(branch)) {
            send(ex, 200, JSON.createObjectNode().put("name", branch));
        } else {
            send(ex, 404, message("Branch not found"));
        }
    }

    private void get(HttpExchange ex, String path, String ref, boolean raw, boolean object) throws IOException {
        byte[] content;
        synchronized (lock) {
            Map<String, byte[]> files = branches.get(ref);
            if (files == null) {
                send(ex, 404, message("No commit found for the ref " + ref));
                return;
            }
            content = files.get(path);
        }
        if (content == null) {
            send(ex, 404, message("Not Found"));
            return;
        }
        if (raw) {
            ex.getResponseHeaders().add("Content-Type", "application/vnd.github.raw");
            ex.getResponseHeaders().add("ETag", "\"" + blobSha(content) + "\"");
            ex.sendResponseHeaders(200, content.length == 0 ? -1 : content.length);
            long cut = cutDownloadAfter.get();
            if (cut >= 0 && content.length > cut && cutDownloadAfter.compareAndSet(cut, -1)) {
                OutputStream out = ex.getResponseBody();
                out.write(content, 0, (int) cut);
                out.flush();
                return; // handle() closes the exchange with bytes missing, and the server drops the connection
            }
            try (OutputStream out = ex.getResponseBody()) {
                out.write(content);
            }
            return;
        }
        ObjectNode info = fileInfo(path, content);
        boolean large = content.length > 1024 * 1024;
        if (large && !object) {
            ObjectNode tooLarge = message("This API returns blobs up to 1 MB in size. The requested blob is too "
                    + "large to fetch via the API, but you can use the Git Data API to request blobs up to 100 MB in "
                    + "size.");
            tooLarge.putArray("errors").addObject().put("resource", "Blob").put("field", "data")
                    .put("code", "too_large");
            send(ex, 403, tooLarge);
            return;
        }
        info.put("encoding", large ? "none" : "base64");
        info.put("content", large ? "" : Base64.getMimeEncoder(60, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(content) + "\n");
        send(ex, 200, info);
    }

    private void write(HttpExchange ex, String method, String path, byte[] body) throws IOException {
        JsonNode req;
        try {
            req = JSON.readTree(body);
        } catch (IOException e) {
            send(ex, 400, message("Problems parsing JSON"));
            return;
        }
        if (req == null || !req.path("message").isTextual()) {
            send(ex, 422, message("Invalid request.\n\n\"message\" wasn't supplied."));
            return;
        }
        String branch = req.path("branch").asText(DEFAULT_BRANCH);
        String sha = req.hasNonNull("sha") ? req.get("sha").asText() : null;
        byte[] content = null;
        if (method.equals("PUT")) {
            if (!req.path("content").isTextual()) {
                send(ex, 422, message("Invalid request.\n\n\"content\" wasn't supplied."));
                return;
            }
            try {
                content = Base64.getDecoder().decode(req.get("content").asText());
            } catch (IllegalArgumentException e) {
                send(ex, 422, message("content is not valid Base64"));
                return;
            }
            if (content.length > maxFileSize) {
                send(ex, 422, message("Sorry, your file is too large (limit " + maxFileSize + " bytes)"));
                return;
            }
        }
        beforeWrite.accept(path);
        synchronized (lock) { // GitHub serializes the writes to one repository
            Map<String, byte[]> files = branches.get(branch);
            if (files == null) {
                send(ex, 404, message("Branch " + branch + " not found"));
                return;
            }
            byte[] existing = files.get(path);
            if (method.equals("DELETE")) {
                if (existing == null) {
                    send(ex, 404, message("Not Found"));
                } else if (sha == null) {
                    send(ex, 422, message("Invalid request.\n\n\"sha\" wasn't supplied."));
                } else if (!sha.equals(blobSha(existing))) {
                    send(ex, 409, message(path + " does not match " + sha));
                } else {
                    files.remove(path);
                    ObjectNode r = JSON.createObjectNode();
                    r.putNull("content");
                    r.putObject("commit").put("message", req.get("message").asText());
                    send(ex, 200, r);
                }
                return;
            }
            if (existing != null && sha == null) {
                send(ex, 422, message("Invalid request.\n\n\"sha\" wasn't supplied."));
                return;
            }
            if (existing != null && !sha.equals(blobSha(existing))) {
                send(ex, 409, message(path + " does not match " + sha));
                return;
            }
            if (existing == null && sha != null) {
                send(ex, 409, message(path + " does not match " + sha));
                return;
            }
            files.put(path, content);
            historyBytes.addAndGet(content.length);
            ObjectNode r = JSON.createObjectNode();
            r.set("content", fileInfo(path, content));
            r.putObject("commit").put("message", req.get("message").asText());
            send(ex, existing == null ? 201 : 200, r);
        }
    }

    private static ObjectNode fileInfo(String path, byte[] content) {
        ObjectNode info = JSON.createObjectNode();
        info.put("type", "file");
        info.put("name", path.substring(path.lastIndexOf('/') + 1));
        info.put("path", path);
        info.put("sha", blobSha(content));
        info.put("size", content.length);
        return info;
    }

    /** git's blob id: SHA-1 of "blob LENGTH\0CONTENT", computed independently of Firesafe's own code. */
    public static String blobSha(byte[] content) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-1");
            d.update(("blob " + content.length + "\0").getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(d.digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, String> query(HttpExchange ex) {
        Map<String, String> q = new HashMap<>();
        String raw = ex.getRequestURI().getRawQuery();
        if (raw != null) {
            for (String p : raw.split("&")) {
                int eq = p.indexOf('=');
                if (eq > 0) {
                    q.put(p.substring(0, eq), URLDecoder.decode(p.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return q;
    }

    private static ObjectNode message(String text) {
        return JSON.createObjectNode().put("message", text)
                .put("documentation_url", "https://docs.github.com/rest");
    }

    private static void send(HttpExchange ex, int status, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().add("Content-Type", "application/json; charset=utf-8");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }
}
