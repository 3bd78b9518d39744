package dev.firesafe.store.github;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.firesafe.core.Version;
import dev.firesafe.core.StoreIOException;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.core.Response;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Files of one repository branch through the Contents API, with GitHub's rules applied once, here: retries of
 * transient failures and rate limits ({@link RetryPolicy}), blob-sha preconditions surfaced as
 * {@link ShaConflict}, and error messages that name the token's origin, never the token.
 */
final class GitHubClient {

    static final String API_VERSION = "2022-11-28";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ContentsApi api;
    private final GitHubLocation location;
    private final TokenResolver tokens;
    private GitHubToken token;
    private final RetryPolicy retry;
    private int calls;

    GitHubClient(ContentsApi api, GitHubLocation location, TokenResolver tokens, RetryPolicy retry) {
        this.api = api;
        this.location = location;
        this.tokens = tokens;
        this.retry = retry;
    }

    static ContentsApi restClient(String apiUrl, Duration timeout) {
        return QuarkusRestClientBuilder.newBuilder()
                .baseUri(URI.create(apiUrl.replaceAll("/+$", "")))
                .connectTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .readTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .userAgent("firesafe/" + Version.current())
                .disableDefaultMapper(true)
                .build(ContentsApi.class);
    }

    /** Requests sent so far, retries included (docs/github.md states the count per backup). */
    int calls() {
        return calls;
    }

    /** A file's blob sha and, for files up to 1 MB, its content (GitHub omits larger contents from JSON). */
    record FileInfo(String sha, long size, byte[] content) {
    }

    /** The file's metadata and content, or null if there is no such file. */
    FileInfo info(String file) throws IOException {
        String what = "cannot read " + file + " in " + location;
        String auth = authorization();
        Response r = send(what, () -> api.get(location.owner(), location.repo(), encode(file), location.branch(),
                ContentsApi.OBJECT, auth));
        try (r) {
            if (r.getStatus() == 404) {
                return null;
            }
            JsonNode body = expect(r, 200, what);
            String encoding = body.path("encoding").asText("");
            byte[] content = encoding.equals("base64")
                    ? Base64.getMimeDecoder().decode(body.path("content").asText("")) : null;
            return new FileInfo(body.path("sha").asText(), body.path("size").asLong(), content);
        }
    }

    /** The file's bytes as a stream (raw media type: any size up to GitHub's 100 MB), or null if absent. */
    InputStream raw(String file) throws IOException {
        String what = "cannot read " + file + " in " + location;
        String auth = authorization();
        Response r = send(what, () -> api.get(location.owner(), location.repo(), encode(file), location.branch(),
                ContentsApi.RAW, auth));
        if (r.getStatus() == 404) {
            r.close();
            return null;
        }
        if (r.getStatus() != 200) {
            try (r) {
                expect(r, 200, what);
            }
        }
        return r.readEntity(InputStream.class);
    }

    /**
     * Creates ({@code sha} null) or updates the file with {@code len} bytes of {@code data}; returns the new blob
     * sha. A create of an existing file or an update with a stale sha throws {@link ShaConflict}.
     */
    String put(String file, byte[] data, int off, int len, String sha, String message) throws IOException {
        ObjectNode meta = JSON.createObjectNode().put("message", message);
        if (location.branch() != null) {
            meta.put("branch", location.branch());
        }
        if (sha != null) {
            meta.put("sha", sha);
        }
        String json = meta.toString();
        String what = "cannot write " + file + " to " + location;
        String auth = authorization();
        Response r = send(what, () -> api.put(location.owner(), location.repo(), encode(file), ContentsApi.JSON,
                auth, Base64Body.of(json, data, off, len)));
        try (r) {
            if (r.getStatus() == 409 || r.getStatus() == 422 && message(r).contains("sha")) {
                throw new ShaConflict(what + ": " + file + (sha == null ? " already exists" : " changed meanwhile")
                        + " (" + r.getStatus() + ")");
            }
            JsonNode body = r.getStatus() == 200 ? expect(r, 200, what) : expect(r, 201, what);
            return body.path("content").path("sha").asText();
        }
    }

    /** Fails clearly unless the repository (and the branch, if the target names one) exists for this token. */
    void checkRepository() throws IOException {
        String what = "cannot read " + location;
        String auth = authorization();
        Response r = send(what, () -> location.branch() == null
                ? api.repository(location.owner(), location.repo(), ContentsApi.JSON, auth)
                : api.branch(location.owner(), location.repo(), location.branch(), ContentsApi.JSON, auth));
        try (r) {
            expect(r, 200, what);
        }
    }

    /** Deletes the file if its blob sha is still {@code sha}; a missing file counts as deleted. */
    void delete(String file, String sha, String message) throws IOException {
        ObjectNode body = JSON.createObjectNode().put("message", message).put("sha", sha);
        if (location.branch() != null) {
            body.put("branch", location.branch());
        }
        String what = "cannot delete " + file + " from " + location;
        String auth = authorization();
        Response r = send(what, () -> api.delete(location.owner(), location.repo(), encode(file), ContentsApi.JSON,
                auth, body.toString()));
        try (r) {
            if (r.getStatus() == 404) {
                return;
            }
            if (r.getStatus() == 409) {
                throw new ShaConflict(what + ": it changed meanwhile (409)");
            }
            expect(r, 200, what);
        }
    }

    /** The token is looked for at the first request, so commands that never reach GitHub never need it. */
    private String authorization() throws StoreIOException {
        if (token == null) {
            token = tokens.resolve();
        }
        return token.authorization();
    }

    /** Sends with retries; returns the first answer that is neither transient nor a rate limit. */
    private Response send(String what, Supplier<Response> request) throws StoreIOException {
        for (int failures = 0; ; ) {
            calls++;
            Response r;
            try {
                r = request.get();
            } catch (ProcessingException e) {
                if (++failures > retry.maxRetries()) {
                    throw new StoreIOException(what + ": " + failures + " attempts failed, last: "
                            + reason(e), null);
                }
                retry.backOff(failures, what);
                continue;
            }
            int status = r.getStatus();
            if (status >= 500 || status == 409 && branchMoved(r)) {
                if (++failures > retry.maxRetries()) {
                    String answer = status + " " + message(r);
                    r.close();
                    throw new StoreIOException(what + ": GitHub answered " + answer + " " + failures + " times",
                            null);
                }
                r.close();
                retry.backOff(failures, what);
                continue;
            }
            if (status == 403 || status == 429) {
                r.bufferEntity();
                Duration wait = retry.rateLimitWait(status, r.getHeaderString("retry-after"),
                        r.getHeaderString("x-ratelimit-remaining"), r.getHeaderString("x-ratelimit-reset"),
                        r.getHeaderString("date"), message(r));
                if (wait != null) {
                    r.close();
                    retry.waitForRateLimit(wait, what);
                    continue;
                }
            }
            return r;
        }
    }

    /**
     * A 409 for a commit that lost the race for the branch to another client's ("is at SHA but expected SHA", or
     * "refs/heads/B expected to be at SHA"): GitHub applied nothing and the same request may simply be sent again.
     * It happens to any write, a new file too, while another host or plan writes to the repository; a stale file
     * sha is a different 409 ("PATH does not match SHA").
     */
    private boolean branchMoved(Response r) {
        String msg = message(r);
        return msg.contains(" but expected ") || msg.contains("expected to be at");
    }

    /** The JSON body of an expected answer, or a clear failure for any other. */
    private JsonNode expect(Response r, int status, String what) throws StoreIOException {
        if (r.getStatus() != status) {
            throw new StoreIOException(what + ": " + explain(r), null);
        }
        try {
            return JSON.readTree(r.readEntity(String.class));
        } catch (IOException | RuntimeException e) {
            throw new StoreIOException(what + ": GitHub's answer is not JSON", null);
        }
    }

    private String explain(Response r) {
        int status = r.getStatus();
        String origin = token.origin();
        String msg = message(r);
        return switch (status) {
            case 401 -> "GitHub rejected the token from " + origin + " (401 " + msg + "); make a new fine-grained "
                    + "token (README, 'GitHub target')";
            case 403 -> "GitHub refused the token from " + origin + " (403 " + msg + "); it needs the permission "
                    + "'Contents: Read and write' on " + location.owner() + "/" + location.repo();
            case 404 -> "not found (404): check that repository " + location.owner() + "/" + location.repo()
                    + (location.branch() == null ? "" : " and branch " + location.branch())
                    + " exist and that the token from " + origin + " may access it";
            default -> "GitHub answered " + status + " " + msg;
        };
    }

    /** GitHub's "message" field, scrubbed of the token should a server ever echo it. */
    private String message(Response r) {
        try {
            r.bufferEntity();
            String body = r.readEntity(String.class);
            String msg = JSON.readTree(body).path("message").asText("");
            return token != null && token.appearsIn(msg) ? "(message withheld: it contains the token)" : msg;
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    private static String reason(ProcessingException e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        String m = root.getMessage();
        return root.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    /** Percent-encodes each path segment; the slashes between them stay. */
    static String encode(String file) {
        StringBuilder sb = new StringBuilder();
        for (String segment : file.split("/")) {
            if (sb.length() > 0) {
                sb.append('/');
            }
            sb.append(URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        return sb.toString();
    }

    /** The precondition on a file's blob sha failed: another writer got there first. */
    static final class ShaConflict extends StoreIOException {
        ShaConflict(String message) {
            super(message, null);
        }
    }
}
