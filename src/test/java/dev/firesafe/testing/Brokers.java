package dev.firesafe.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;

/**
 * Tests that need a server on loopback say so: where it is missing, or present but not set up as the test needs
 * (RabbitMQ without its AMQP 1.0 plugin, say), they fail on CI (env {@code CI}; .ci/run starts and sets up the
 * servers) and elsewhere are skipped with the reason, which {@link SkipReasons} prints on the console.
 */
final class Brokers {

    private Brokers() {
    }

    static void requireListening(String host, int port, String what) {
        requireListening(host, port, what, System::getenv);
    }

    static void requireListening(String host, int port, String what, UnaryOperator<String> env) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 2000);
        } catch (IOException e) {
            unavailable("this test needs " + what + " on " + host + ":" + port + ": nothing listens there", env);
        }
    }

    /**
     * Ends the calling test because a server it needs is missing or not set up as it needs: a failure on CI, where
     * the machine is set up for every test, a skip with {@code reason} elsewhere. Never returns.
     */
    public static RuntimeException unavailable(String reason, UnaryOperator<String> env) {
        if (env.apply("CI") != null) {
            fail(reason + " (CI is set, so this is a failure, not a skip)");
        }
        abort(reason);
        throw new AssertionError("unreachable");
    }
}
