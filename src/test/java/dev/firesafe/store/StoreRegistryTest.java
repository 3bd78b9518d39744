package dev.firesafe.store;

import dev.firesafe.core.ExitCode;
import dev.firesafe.core.FiresafeException;
import dev.firesafe.core.StoreIOException;
import dev.firesafe.store.local.LocalStore;
import dev.firesafe.testing.CountingBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #17 point 1: the one registry from scheme to backend. Addresses are parsed and checked without opening
 * anything, an unknown scheme is a usage error naming the known ones, every store comes wrapped in the shared
 * decorators whatever its backend, and closing the registry releases every backend.
 */
class StoreRegistryTest {

    @TempDir
    Path tmp;

    private final List<Long> slept = new ArrayList<>();
    private final RetryingStore.Policy policy = new RetryingStore.Policy(3, Duration.ofSeconds(1), slept::add);

    @Test
    void addressesAreParsedWithoutIo() {
        assertEquals(new StoreUri("file", "relative/dir"), StoreUri.parse("relative/dir"));
        assertEquals("s3", StoreUri.parse("S3://bucket/prefix").scheme());
        assertEquals("github", StoreUri.parse("github://o/r/p?branch=b").scheme());
        // a folder that does not exist (and a bucket nobody could reach) parse all the same
        assertEquals(Path.of("/no/such/folder"), StoreUri.parse("file:///no/such/folder").localFolder().orElseThrow());
        assertTrue(StoreUri.parse("s3://bucket/prefix").localFolder().isEmpty());
        assertEquals(ExitCode.USAGE, assertThrows(FiresafeException.class, () -> StoreUri.parse(" ")).exitCode());
    }

    @Test
    void describingAnAddressOpensNothing() {
        CountingBackend backend = new CountingBackend();
        StoreRegistry registry = new StoreRegistry(List.of(backend), policy);
        Path missing = tmp.resolve("not-yet");
        assertEquals(new LocalStore(missing).describe(), registry.describe(missing.toString()));
        assertEquals(0, backend.opened());
        assertFalse(Files.exists(missing), "checking an address makes nothing");
    }

    @Test
    void anUnknownSchemeIsAUsageErrorNamingTheKnownOnes() {
        StoreRegistry registry = new StoreRegistry(List.of(new CountingBackend()), policy);
        for (String uri : List.of("ftp://host/backups", "s3://bucket/prefix")) {
            FiresafeException e = assertThrows(FiresafeException.class, () -> registry.open(uri));
            assertEquals(ExitCode.USAGE, e.exitCode());
            assertTrue(e.getMessage().contains("unknown target scheme") && e.getMessage().contains(uri)
                    && e.getMessage().contains("known: file:///PATH or a plain path"), e.getMessage());
            assertEquals(ExitCode.USAGE, assertThrows(FiresafeException.class, () -> registry.describe(uri))
                    .exitCode());
        }
    }

    /** A backend of {@code scheme} whose stores {@code open} makes, telling {@code released} when it is closed. */
    private static StoreBackend backend(String scheme, Function<StoreUri, Store> open, List<String> released) {
        return new StoreBackend() {
            @Override
            public String scheme() {
                return scheme;
            }

            @Override
            public String form() {
                return scheme + "://PATH";
            }

            @Override
            public String check(StoreUri uri) {
                return uri.text();
            }

            @Override
            public Store open(StoreUri uri) {
                return open.apply(uri);
            }

            @Override
            public void close() {
                released.add(scheme);
            }
        };
    }

    /** Whatever the backend, its stores get the registry's retries: a backend need not bring its own. */
    @Test
    void everyStoreComesWithTheSharedRetries() throws IOException {
        int[] failuresLeft = {2};
        StoreBackend flaky = backend("flaky", uri -> new ForwardingStore(new LocalStore(tmp)) {
            @Override
            public List<StoredObject> list(String prefix) throws IOException {
                if (failuresLeft[0]-- > 0) {
                    throw new StoreIOException("cannot list " + describe() + ": timed out", null, true);
                }
                return super.list(prefix);
            }
        }, new ArrayList<>());
        try (Store store = new StoreRegistry(List.of(flaky), policy).open("flaky://x")) {
            assertEquals(List.of(), store.list(""));
        }
        assertEquals(List.of(1000L, 2000L), slept, "two transient failures, asked again twice");
    }

    @Test
    void closingTheRegistryReleasesEveryBackend() {
        CountingBackend local = new CountingBackend();
        List<String> released = new ArrayList<>();
        StoreBackend other = backend("other", uri -> {
            throw new UnsupportedOperationException();
        }, released);
        new StoreRegistry(List.of(local, other), policy).close();
        assertEquals(1, local.backendClosed());
        assertEquals(List.of("other"), released);
    }
}
