package dev.firesafe.host;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Whether this process serves HTTP (the long-running host) or is a one-shot command. Health checks and
 * listing-backed gauges are only registered when someone can ask for them: a one-shot {@code backup} must not
 * list every function's targets (opening S3 clients) before it reads its first byte.
 */
@ApplicationScoped
public class Serving {

    private final boolean http;

    public Serving(@ConfigProperty(name = "quarkus.http.host-enabled", defaultValue = "true") boolean http) {
        this.http = http;
    }

    public boolean http() {
        return http;
    }
}
