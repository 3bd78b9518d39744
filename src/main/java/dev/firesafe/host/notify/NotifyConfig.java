package dev.firesafe.host.notify;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/** {@code firesafe.notify.*}: the optional webhook (README, "Notifications"). */
@ConfigMapping(prefix = "firesafe.notify")
public interface NotifyConfig {

    /** Webhook URL (env {@code FIRESAFE_NOTIFY_URL}); a secret, since it often embeds a token. */
    Optional<String> url();

    /** A file holding the webhook URL (env {@code FIRESAFE_NOTIFY_URL_FILE}), for secrets mounted as files. */
    Optional<String> urlFile();

    /** Also notify when a backup or drill succeeded; failures are always sent. */
    @WithDefault("false")
    boolean onSuccess();

    /** Time allowed for each attempt (connect and answer). */
    @WithDefault("10s")
    Duration timeout();

    /** Attempts in all, with a short pause growing between them, before the notification is given up (logged). */
    @WithDefault("3")
    int attempts();
}
