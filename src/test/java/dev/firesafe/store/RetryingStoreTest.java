package dev.firesafe.store;

import dev.firesafe.core.StoreIOException;
import dev.firesafe.store.local.LocalStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The registry's retry decorator: transient read failures are asked again with growing waits; nothing else is. */
class RetryingStoreTest {

    @TempDir
    Path tmp;

    private final List<Long> slept = new ArrayList<>();
    private final RetryingStore.Policy policy = new RetryingStore.Policy(3, Duration.ofSeconds(1), slept::add);

    /** A local store whose listing fails {@code failures} times first, transiently or not. */
    private Store failing(int failures, boolean transientFailure) {
        return new ForwardingStore(new LocalStore(tmp)) {
            int left = failures;

            @Override
            public List<StoredObject> list(String prefix) throws IOException {
                if (left-- > 0) {
                    throw new StoreIOException("cannot list " + describe() + ": timed out", null, transientFailure);
                }
                return super.list(prefix);
            }

            @Override
            public InputStream open(String name, long offset, long length) throws IOException {
                throw new StoreIOException("cannot read " + name + ": access denied", null, false);
            }
        };
    }

    @Test
    void aTransientFailureIsAskedAgainWithDoublingWaits() throws IOException {
        assertEquals(List.of(), new RetryingStore(failing(2, true), policy).list(""));
        assertEquals(List.of(1000L, 2000L), slept);
    }

    @Test
    void attemptsAreBounded() {
        StoreIOException e = assertThrows(StoreIOException.class,
                () -> new RetryingStore(failing(5, true), policy).list(""));
        assertEquals(true, e.getMessage().contains("timed out"));
        assertEquals(2, slept.size(), "three attempts in all");
    }

    @Test
    void aPermanentFailureIsNotAskedAgain() {
        assertThrows(StoreIOException.class, () -> new RetryingStore(failing(1, false), policy).list(""));
        assertThrows(StoreIOException.class, () -> new RetryingStore(failing(0, false), policy).open("x", 0, -1));
        assertEquals(List.of(), slept);
    }
}
