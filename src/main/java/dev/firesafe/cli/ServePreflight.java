package dev.firesafe.cli;

import dev.firesafe.core.FiresafeException;
import dev.firesafe.host.http.BearerToken;
import dev.firesafe.host.http.HttpConfig;
import io.smallrye.config.ConfigValidationException;
import io.smallrye.config.SmallRyeConfig;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.OptionalInt;

/**
 * Checks made before {@code serve} boots Quarkus, because Quarkus binds the HTTP port while it starts: a host that
 * would listen beyond loopback without a bearer token must be refused before anyone can reach it, not after.
 * The host checks the same rule again once started ({@code FunctionHost}), for launches that skip this class.
 * A port already in use is also said here, plainly and as a usage error: Quarkus would fail its start with exit 1,
 * which means "a bug" to Firesafe's users and their monitoring.
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
            checkPortFree(host, config.getOptionalValue("quarkus.http.port", Integer.class).orElse(8080));
        } catch (FiresafeException e) {
            System.err.println("firesafe: " + e.getMessage());
            return OptionalInt.of(e.exitCode().code);
        }
        return OptionalInt.empty();
    }

    /** A trial bind, closed at once; options as Vert.x binds (address reuse), so a closing socket does not count. */
    private static void checkPortFree(String host, int port) {
        if (port == 0) {
            return; // any free port
        }
        try (ServerSocket trial = new ServerSocket()) {
            trial.setReuseAddress(true);
            trial.bind(new InetSocketAddress(host, port));
        } catch (BindException e) {
            throw FiresafeException.usage("cannot serve HTTP: " + host + ":" + port + " is in use (another "
                    + "Firesafe host?). Stop that process or choose another port with quarkus.http.port "
                    + "(QUARKUS_HTTP_PORT)");
        } catch (IOException e) {
            // an address this machine does not have, say: Quarkus reports that with its own words
        }
    }
}
