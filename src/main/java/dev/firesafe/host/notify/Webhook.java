package dev.firesafe.host.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * POSTs notifications to one URL: a short timeout per attempt and a bounded number of attempts, retrying only
 * what may pass next time (no answer, 429, 5xx). It never throws: a webhook that is down must not fail the backup
 * it reports on. The URL is a secret (chat webhooks embed their token), so messages name only its host.
 */
public final class Webhook {

    private static final Logger LOG = Logger.getLogger(Webhook.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI url;
    private final Duration timeout;
    private final int attempts;
    private final Duration firstPause;
    private final HttpClient client;

    public Webhook(URI url, Duration timeout, int attempts, Duration firstPause) {
        this.url = url;
        this.timeout = timeout;
        this.attempts = Math.max(1, attempts);
        this.firstPause = firstPause;
        this.client = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** Sends {@code n}; returns whether the receiver accepted it (2xx). */
    public boolean send(Notification n) {
        byte[] body;
        try {
            body = JSON.writeValueAsBytes(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        HttpRequest request = HttpRequest.newBuilder(url).timeout(timeout)
                .header("Content-Type", "application/json").header("User-Agent", "firesafe")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        String why = null;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            if (attempt > 1 && !pause(attempt)) {
                break;
            }
            try {
                int status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status / 100 == 2) {
                    return true;
                }
                why = "answered HTTP " + status;
                if (status != 429 && status / 100 != 5) {
                    break; // the receiver refuses this request; sending it again will not change that
                }
            } catch (IOException e) {
                why = e.getClass().getSimpleName();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                why = "interrupted";
                break;
            }
        }
        LOG.warnf("webhook notification %s for %s was not delivered to %s: %s", n.event(), n.function(),
                url.getHost(), why);
        return false;
    }

    /** Waits before attempt {@code attempt}: firstPause, then twice that, ... */
    private boolean pause(int attempt) {
        try {
            Thread.sleep(firstPause.toMillis() << (attempt - 2));
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
