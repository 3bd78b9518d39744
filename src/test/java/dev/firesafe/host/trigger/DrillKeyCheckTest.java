package dev.firesafe.host.trigger;

import dev.firesafe.app.Services;

import dev.firesafe.crypto.KeySource;
import dev.firesafe.crypto.MasterKey;
import dev.firesafe.crypto.RecoveryKey;
import dev.firesafe.core.FiresafeConfig;
import dev.firesafe.plan.PlanRepository;
import dev.firesafe.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A write-only host learns at start-up that its drill triggers cannot succeed. */
class DrillKeyCheckTest {

    @TempDir
    Path tmp;

    private Optional<String> warningWith(Map<String, String> keys) throws IOException {
        Path functions = Files.createDirectories(tmp.resolve("functions"));
        Files.writeString(functions.resolve("app.yaml"), "plan:\n  sources:\n    - path: /srv\n"
                + "triggers:\n  - type: timer\n    every: 6h\n  - type: drill\n");
        Files.writeString(functions.resolve("logs.yaml"), "plan:\n  sources:\n    - path: /var/log\n"
                + "triggers:\n  - type: timer\n    every: 1d\n");
        Map<String, String> values = new java.util.HashMap<>(keys);
        values.put("firesafe.functions-dir", functions.toString());
        values.put("firesafe.default-key-file", tmp.resolve("no-such-key").toString());
        FiresafeConfig config = Fixtures.config(values);
        Services services = Fixtures.services(config);
        return DrillKeyCheck.warning(services.plans().functions(), services.keys());
    }

    @Test
    void aWriteOnlyHostIsWarnedAboutItsDrillTriggersOnly() throws IOException {
        String publicKey = RecoveryKey.generate().publicKey().toText();
        Optional<String> warning = warningWith(Map.of("firesafe.public-key", publicKey));
        assertTrue(warning.isPresent());
        assertTrue(warning.get().startsWith("the drill triggers of [app] will fail on this host"), warning.get());
        assertTrue(warning.get().contains("drill --target"), warning.get());
        assertTrue(!warning.get().contains(publicKey), "keys never appear in messages");
    }

    @Test
    void aHostThatCanReadItsBackupsIsNotWarned() throws IOException {
        assertEquals(Optional.empty(), warningWith(Map.of("firesafe.master-key",
                MasterKey.generate(65536).toEscrowText())));
        RecoveryKey recovery = RecoveryKey.generate();
        assertEquals(Optional.empty(), warningWith(Map.of("firesafe.public-key", recovery.publicKey().toText(),
                "firesafe.master-key", recovery.toEscrowText())), "write-only, with its recovery key here");
    }

    /**
     * README's way to switch to write-only: set FIRESAFE_PUBLIC_KEY, old backups stay. The old master key is still
     * here and reads those, but not what the host writes from now on, which is what its drills restore.
     */
    @Test
    void aWriteOnlyHostWhoseOnlyReadingKeyIsTheOldMasterKeyIsWarned() throws IOException {
        RecoveryKey recovery = RecoveryKey.generate();
        MasterKey old = MasterKey.generate(65536);
        Optional<String> warning = warningWith(Map.of("firesafe.public-key", recovery.publicKey().toText(),
                "firesafe.master-key", old.toEscrowText()));
        assertTrue(warning.isPresent(), "the drills would fail with exit 3");
        assertTrue(warning.get().startsWith("the drill triggers of [app] will fail on this host"), warning.get());
        assertTrue(warning.get().contains("recovery key"), warning.get());
        assertTrue(!warning.get().contains(old.toEscrowText()), "keys never appear in messages");
    }
}
