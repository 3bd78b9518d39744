package dev.firesafe.host.health;

import dev.firesafe.testing.Fixtures;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** Target listings for health checks and gauges against a target that never answers. */
class BackupListingsTest {

    private ServerSocket silent;

    @BeforeEach
    void silentS3() throws IOException {
        // accepts connections (the kernel's backlog does) and never answers, as a NAS half up or a hung mount
        silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        System.setProperty("aws.accessKeyId", "firesafe-id");
        System.setProperty("aws.secretAccessKey", "firesafe-secret");
    }

    @AfterEach
    void close() throws IOException {
        System.clearProperty("aws.accessKeyId");
        System.clearProperty("aws.secretAccessKey");
        silent.close();
    }

    private static Set<Thread> listingThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().equals("firesafe-health-list")).collect(Collectors.toSet());
    }

    @Test
    void probesOfATargetThatNeverAnswersShareOneListingInsteadOfPilingUpThreads() {
        BackupListings listings = new BackupListings(Fixtures.services(Map.of(
                "firesafe.s3.endpoint", "http://127.0.0.1:" + silent.getLocalPort(),
                "firesafe.s3.path-style", "true")).stores(), FixedHealthConfig.uncached(Duration.ofMillis(200)));
        // other tests' listers may still be ending: compare thread identities, not counts
        Set<Thread> before = listingThreads();
        for (int probe = 0; probe < 5; probe++) {
            BackupListings.Newest newest = listings.newest("s3://backups/nas", "vault");
            assertFalse(newest.reachable(), newest.toString());
        }
        // a listing stuck for good (a hard NFS mount) would otherwise cost one thread per probe, until none is left
        Set<Thread> started = listingThreads();
        started.removeAll(before);
        assertEquals(1, started.size(), "threads still listing the silent target");
    }
}
