package dev.firesafe.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Tests that need a broker on loopback say so: where nothing listens they fail on CI (env {@code CI}; .ci/run
 * starts the brokers) and elsewhere are skipped with the reason printed.
 */
final class Brokers {

    private Brokers() {
    }

    static void requireListening(String host, int port, String what) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 2000);
        } catch (IOException e) {
            String reason = "this test needs " + what + " on " + host + ":" + port + ": nothing listens there";
            if (System.getenv("CI") != null) {
                fail(reason);
            }
            System.out.println("SKIPPED: " + reason);
            assumeTrue(false, reason);
        }
    }
}
