package dev.firesafe.core;

import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;

class FailuresTest {

    @Test
    void aTargetsOwnMessageIsNotPrefixedWithWhatItAlreadySays() {
        StoreIOException e = new StoreIOException("cannot list s3://b/p: cannot reach http://127.0.0.1:1",
                new IOException("refused"));
        FiresafeException f = Failures.classify(e, "cannot list s3://b/p");
        assertEquals(ExitCode.TARGET, f.exitCode());
        assertEquals("cannot list s3://b/p: cannot reach http://127.0.0.1:1", f.getMessage());
    }

    @Test
    void aTargetMessageWithoutItsContextGetsIt() {
        FiresafeException f = Failures.classify(new StoreIOException("403 Forbidden", null), "cannot list s3://b/p");
        assertEquals(ExitCode.TARGET, f.exitCode());
        assertEquals("cannot list s3://b/p: 403 Forbidden", f.getMessage());
    }
}
