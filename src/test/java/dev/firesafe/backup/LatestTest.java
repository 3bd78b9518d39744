package dev.firesafe.backup;

import dev.firesafe.ExitCode;
import dev.firesafe.FiresafeException;
import dev.firesafe.target.LocalTarget;
import dev.firesafe.target.Target;
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

    private String put(LocalTarget target, String plan, Instant time) throws IOException {
        String id = BackupId.next(time);
        Target.Upload u = target.create(BackupCatalog.objectName(plan, id));
        try (OutputStream out = u.stream()) {
            out.write(1);
        }
        u.commit();
        return id;
    }

    @Test
    void latestWithoutAPlanIsTheOnlyPlansNewest() throws IOException {
        LocalTarget target = new LocalTarget(tmp.resolve("t"));
        Instant now = Instant.now();
        put(target, "default", now.minus(Duration.ofHours(2)));
        String newest = put(target, "default", now.minus(Duration.ofHours(1)));
        assertEquals(newest, BackupCatalog.resolve(target, "latest", null).id());
    }

    @Test
    void latestWithoutAPlanOnASharedTargetIsRefusedNamingThePlans() throws IOException {
        LocalTarget target = new LocalTarget(tmp.resolve("t"));
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
