package dev.firesafe.host.http;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.util.Optional;

/** The HTTP trigger endpoints' bearer token; README, "Function host and triggers". */
@ConfigMapping(prefix = "firesafe.http")
public interface HttpConfig {

    /** The token itself ({@code FIRESAFE_HTTP_TOKEN}). */
    Optional<String> token();

    /** A file holding the token ({@code FIRESAFE_HTTP_TOKEN_FILE}), e.g. a mounted Kubernetes secret. */
    Optional<String> tokenFile();

    /**
     * {@code FIRESAFE_HTTP_CLOUDEVENTS_WITHOUT_TOKEN}: accept CloudEvents on {@code POST /} without the token, for
     * senders that cannot add an {@code Authorization} header (a Knative Trigger). Every other trigger endpoint
     * still needs it, and a host beyond loopback still needs one set. The name is a contract: keep it.
     */
    @WithName("cloudevents-without-token")
    @WithDefault("false")
    boolean cloudEventsWithoutToken();
}
