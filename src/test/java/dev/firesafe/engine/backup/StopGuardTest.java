package dev.firesafe.engine.backup;

import dev.firesafe.core.FiresafeException;
import dev.firesafe.store.Store;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StopGuardTest {

    /** An upload that counts its aborts. */
    private static final class CountedUpload implements Store.Upload {
        final AtomicInteger aborts = new AtomicInteger();

        @Override
        public OutputStream stream() {
            return OutputStream.nullOutputStream();
        }

        @Override
        public void commit() {
            throw new AssertionError("a stopped backup commits nothing");
        }

        @Override
        public void abort() {
            aborts.incrementAndGet();
        }
    }

    /**
     * Under serve the function host stops the running backups in its own shutdown, before Quarkus closes its
     * logging; the JVM's shutdown hook of the same guard then finds nothing left to do.
     */
    @Test
    void stopAllStopsARunningBackupOnceAndItsHookThenDoesNothing() throws Exception {
        CountedUpload upload = new CountedUpload();
        try (StopGuard guard = StopGuard.guard("p")) {
            guard.backupId("20261207T000000.000Z-00000000");
            guard.opened("file:///t/", upload);

            StopGuard.stopAll();
            assertTrue(guard.stopped());
            assertEquals(1, upload.aborts.get(), "the partial upload is removed");
            assertFalse(guard.beginCommits(), "a stopped backup does not commit");

            guard.onStop().run(); // the JVM's hook, later
            assertEquals(1, upload.aborts.get(), "the hook repeats nothing");

            CountedUpload late = new CountedUpload();
            assertThrows(FiresafeException.class, () -> guard.opened("s3://b/p", late));
            assertEquals(1, late.aborts.get(), "an upload opened after the stop is removed at once");
        }
    }

    @Test
    void stopAllLeavesFinishedBackupsAlone() {
        CountedUpload upload = new CountedUpload();
        StopGuard guard = StopGuard.guard("p");
        guard.opened("file:///t/", upload);
        guard.close();

        StopGuard.stopAll();
        assertFalse(guard.stopped());
        assertEquals(0, upload.aborts.get());
    }
}
