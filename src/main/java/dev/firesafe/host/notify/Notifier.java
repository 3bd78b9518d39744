package dev.firesafe.host.notify;

import dev.firesafe.core.FiresafeException;
import dev.firesafe.engine.backup.BackupFinished;
import dev.firesafe.engine.drill.DrillFinished;
import dev.firesafe.io.HostName;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Sends a webhook notification when a backup or drill fails (and when it succeeds, with
 * {@code firesafe.notify.on-success}), and when a function's WAL archive lag crosses its {@code rpo}. Does nothing unless a URL is configured. The send happens before the
 * event returns, so a one-shot CLI run delivers it before exiting; it is bounded by timeout times attempts.
 */
public class Notifier {

    private final NotifyConfig config;
    private volatile Optional<Webhook> webhook;

    public Notifier(NotifyConfig config) {
        this.config = config;
    }

    public void backupFinished(BackupFinished e) {
        if (!e.ok() || config.onSuccess()) {
            webhook().ifPresent(w -> w.send(Notification.of(e, HostName.current(), Instant.now().toString())));
        }
    }

    public void drillFinished(DrillFinished e) {
        if (!e.ok() || config.onSuccess()) {
            webhook().ifPresent(w -> w.send(Notification.of(e, HostName.current(), Instant.now().toString())));
        }
    }

    /**
     * A function's WAL archive lag went over its {@code rpo} ({@code recovered}: back under it). Both are sent:
     * the recovery closes the alert the first one opened.
     */
    public void walLag(String function, boolean recovered, String message, Duration lag) {
        webhook().ifPresent(w -> w.send(Notification.walLag(function, recovered, message, lag.toMillis(),
                HostName.current(), Instant.now().toString())));
    }

    /**
     * For the long-running host, at start: a URL that is set but cannot be used (not http(s), an unreadable file)
     * would be found only when a backup fails, losing exactly the notification it was set for.
     */
    public void check() {
        webhook();
    }

    /** Read on first use, not at start: commands that never finish a backup do not touch the secret. */
    private Optional<Webhook> webhook() {
        if (webhook == null) {
            webhook = url().map(u -> new Webhook(u, config.timeout(), config.attempts(), Duration.ofSeconds(1)));
        }
        return webhook;
    }

    private Optional<URI> url() {
        Optional<String> text = config.url().filter(s -> !s.isBlank());
        String origin = "FIRESAFE_NOTIFY_URL";
        if (text.isEmpty() && config.urlFile().filter(s -> !s.isBlank()).isPresent()) {
            origin = "FIRESAFE_NOTIFY_URL_FILE (" + config.urlFile().get() + ")";
            try {
                text = Optional.of(Files.readString(Path.of(config.urlFile().get()), StandardCharsets.UTF_8).strip());
            } catch (IOException e) {
                throw FiresafeException.usage("cannot read " + origin + ": " + e.getClass().getSimpleName());
            }
        }
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            URI uri = URI.create(text.get().strip());
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new IllegalArgumentException();
            }
            return Optional.of(uri);
        } catch (IllegalArgumentException e) {
            // never echo the value: it is a secret
            throw FiresafeException.usage(origin + " is not an http(s) URL");
        }
    }
}
