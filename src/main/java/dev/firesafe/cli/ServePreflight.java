package dev.firesafe.cli;

import dev.firesafe.FiresafeException;
import dev.firesafe.trigger.http.BearerToken;
import dev.firesafe.trigger.http.HttpConfig;
import io.smallrye.config.ConfigValidationException;
import io.smallrye.config.SmallRyeConfig;

import java.util.OptionalInt;

/**
 * Checks made before {@code serve} boots Quarkus, because Quarkus binds the HTTP port while it starts: a host that
 * would listen beyond loopback without a bearer token must be refused before anyone can reach it, not after.
 * The host checks the same rule again once started ({@code FunctionHost}), for launches that skip this class.
 */
final class ServePreflight {

    private ServePreflight() {
    }

    /** An exit code when {@code serve} must not start, else empty. */
    static OptionalInt check() {
        SmallRyeConfig config;
        try {
            config = LeanConfig.load();
        } catch (ConfigValidationException e) {
            return OptionalInt.empty(); // Quarkus reports configuration errors itself, before it binds anything
        }
        String host = config.getOptionalValue("quarkus.http.host", String.class).orElse("0.0.0.0");
        try {
            new BearerToken(config.getConfigMapping(HttpConfig.class), host).checkRequiredForHost();
        } catch (FiresafeException e) {
            System.err.println("firesafe: " + e.getMessage());
            return OptionalInt.of(e.exitCode().code);
        }
        return OptionalInt.empty();
    }
}
