package dev.firesafe.engine.backup;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** What a stop in the middle of a backup runs: the plan's after hooks, and nothing for a plan without any. */
class AfterHooksTest {

    @Test
    void aPlanWithAfterHooksHasThemRunOnStopUntilTheBackupEnds() {
        try (AfterHooks hooks = AfterHooks.guard("p", 1, status -> fail("not stopped"), Duration.ZERO)) {
            assertTrue(Runtime.getRuntime().removeShutdownHook(hooks.onStop()), "registered while the backup runs");
        }
    }

    /** It would only log "running its after hooks" on every stopped backup, and run none. */
    @Test
    void aPlanWithoutAfterHooksRegistersNothingForAStop() {
        try (AfterHooks hooks = AfterHooks.guard("p", 0, status -> fail("not stopped"), Duration.ZERO)) {
            assertFalse(Runtime.getRuntime().removeShutdownHook(hooks.onStop()));
            assertTrue(hooks.claim(), "the backup itself still runs (none of) them");
        }
    }
}
