package dev.firesafe.trigger.http;

import io.smallrye.config.ConfigMapping;

import java.util.Optional;

/** The HTTP trigger endpoints' bearer token; README, "Function host and triggers". */
@ConfigMapping(prefix = "firesafe.http")
public interface HttpConfig {

    /** The token itself ({@code FIRESAFE_HTTP_TOKEN}). */
    Optional<String> token();

    /** A file holding the token ({@code FIRESAFE_HTTP_TOKEN_FILE}), e.g. a mounted Kubernetes secret. */
    Optional<String> tokenFile();
}
