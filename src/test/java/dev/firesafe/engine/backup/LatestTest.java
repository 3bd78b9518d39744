package dev.firesafe.engine.backup;

import dev.firesafe.repository.BackupId;

import dev.firesafe.repository.BackupCatalog;

import dev.firesafe.core.ExitCode;
import dev.firesafe.core.FiresafeException;
import dev.firesafe.store.local.LocalStore;
import dev.firesafe.store.Store;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #19: {@code restore latest} / {@code verify latest} without {@code --plan} took the newest backup of any plan
 * on the target, so a target shared by two plans restored the other plan's data ("mydata") without a word.
 */
class LatestTest {

    @TempDir
    Path tmp;

    private String put(LocalStore target, String plan, Instant time) throws IOException {
        String id = BackupId.next(time);
        Store.Upload u = target.create(BackupCatalog.objectName(plan, id));
        try (OutputStream out = u.stream()) {
            out.write(1);
        }
        u.commit();
        return id;
    }

    @Test
    void latestWithoutAPlanIsTheOnlyPlansNewest() throws IOException {
        LocalStore target = new LocalStore(tmp.resolve("t"));
        Instant now = Instant.now();
        put(target, "default", now.minus(Duration.ofHours(2)));
        String newest = put(target, "default", now.minus(Duration.ofHours(1)));
        assertEquals(newest, BackupCatalog.resolve(target, "latest", null).id());
    }

    @Test
    void latestWithoutAPlanOnASharedTargetIsRefusedNamingThePlans() throws IOException {
        LocalStore target = new LocalStore(tmp.resolve("t"));
        Instant now = Instant.now();
        String own = put(target, "default", now.minus(Duration.ofHours(2)));
        String other = put(target, "mydata", now.minus(Duration.ofHours(1)));

        FiresafeException e = assertThrows(FiresafeException.class,
                () -> BackupCatalog.resolve(target, "latest", null));
        assertEquals(ExitCode.USAGE, e.exitCode());
        assertTrue(e.getMessage().contains("default, mydata") && e.getMessage().contains("--plan"), e.getMessage());

        assertEquals(own, BackupCatalog.resolve(target, "latest", "default").id());
        assertEquals(other, BackupCatalog.resolve(target, "latest", "mydata").id());
        assertEquals(own, BackupCatalog.resolve(target, own, null).id(), "an id needs no plan");
    }
}
