package dev.firesafe.testing;

import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.core.LauncherConfig;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder.request;

/**
 * Issue #19: a skipped test's reason reaches the console, and a server that is present but not set up as a test
 * needs is a skip outside CI and a failure on CI, like a missing one.
 */
class SkipReasonsTest {

    /** Run by the test below through its own launcher, never by surefire (not a *Test class). */
    static class Sample {
        @Test
        void needsAServer() {
            Brokers.unavailable("this test needs a frobnicator on 127.0.0.1:1", name -> null);
        }

        @Test
        @Disabled("waits for issue 99")
        void disabled() {
        }

        @Test
        void runs() {
        }
    }

    @Test
    void everySkipIsPrintedWithItsReason() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        LauncherFactory.create(LauncherConfig.builder().enableTestExecutionListenerAutoRegistration(false).build())
                .execute(request().selectors(selectClass(Sample.class)).build(),
                        new SkipReasons(new PrintStream(bytes, true, StandardCharsets.UTF_8)), summary);
        String printed = bytes.toString(StandardCharsets.UTF_8);

        assertEquals(1, summary.getSummary().getTestsAbortedCount());
        assertEquals(1, summary.getSummary().getTestsSkippedCount());
        assertEquals(1, summary.getSummary().getTestsSucceededCount());
        assertTrue(printed.contains("SKIPPED: SkipReasonsTest.Sample.needsAServer: this test needs a frobnicator on "
                + "127.0.0.1:1"), printed);
        assertTrue(printed.contains("SKIPPED: SkipReasonsTest.Sample.disabled: waits for issue 99"), printed);
        assertTrue(printed.contains("SKIPPED: 2 test(s) did not run:"), printed);
        assertTrue(!printed.contains("runs"), printed);
    }

    /**
     * Something listens on the port but does not speak AMQP 1.0, as a stock RabbitMQ without the
     * rabbitmq_amqp1_0 plugin: MessagingIT failed there; it must skip with the reason unless CI is set.
     */
    @Test
    void aBrokerWithoutAmqp10IsASkipOutsideCiAndAFailureOnCi() throws Exception {
        try (ServerSocket notAmqp = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                while (!notAmqp.isClosed()) {
                    try (Socket s = notAmqp.accept()) {
                        s.getOutputStream().write("AMQP\0\0\11\1".getBytes(StandardCharsets.ISO_8859_1)); // 0-9-1
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            int port = notAmqp.getLocalPort();

            TestAbortedException skipped = assertThrows(TestAbortedException.class,
                    () -> Amqp.connectOrSkip("127.0.0.1", port, name -> null));
            assertTrue(skipped.getMessage().contains("but AMQP 1.0 failed")
                    && skipped.getMessage().contains("rabbitmq-plugins enable rabbitmq_amqp1_0"), skipped.getMessage());

            Map<String, String> ci = Map.of("CI", "1");
            AssertionFailedError failed = assertThrows(AssertionFailedError.class,
                    () -> Amqp.connectOrSkip("127.0.0.1", port, ci::get));
            assertTrue(failed.getMessage().contains("but AMQP 1.0 failed"), failed.getMessage());
        }
    }
}
