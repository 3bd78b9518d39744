package dev.firesafe.engine.backup;

import dev.firesafe.app.Services;
import dev.firesafe.archive.Compression;
import dev.firesafe.core.Progress;
import dev.firesafe.crypto.MasterKey;
import dev.firesafe.engine.restore.RestoreService;
import dev.firesafe.plan.Plan;
import dev.firesafe.plan.Retention;
import dev.firesafe.plan.SourceSpec;
import dev.firesafe.store.StoreRegistry;
import dev.firesafe.testing.CountingBackend;
import dev.firesafe.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #17 point 4: a run opens each of its stores once, through the registry, and closes every store it opened
 * when it ends, also when a store fails; the registry's close releases the backends (their shared clients).
 */
class StoresPerRunTest {

    @TempDir
    Path tmp;

    private final MasterKey key = MasterKey.generate(65536);
    private final CountingBackend backend = new CountingBackend();
    private final StoreRegistry registry = new StoreRegistry(List.of(backend));

    private BackupService backups(Services services) {
        return new BackupService(services.settings().firesafe(), services.settings().postgres(), services.keys(),
                registry, services.retention(), Clock.systemUTC(), finished -> { });
    }

    @Test
    void eachRunOpensEveryStoreOnceAndClosesIt() throws IOException {
        Path source = Files.createDirectories(tmp.resolve("data"));
        Files.writeString(source.resolve("a.txt"), "alpha");
        Path first = tmp.resolve("first");
        Path second = tmp.resolve("second");
        Services services = Fixtures.services(Fixtures.configWithKey(key, tmp));
        BackupService backups = backups(services);
        Plan plan = new Plan("p", List.of(SourceSpec.of(source.toString())), List.of(first.toString(),
                second.toString()), Compression.ZSTD, new Retention(1, null, null, null, null, null));

        assertTrue(backups.run(plan, Progress.NONE).ok());
        assertEquals(2, backend.opened(), "one store per target, for the upload, the commit and retention");
        assertEquals(2, backend.closed());

        assertTrue(backups.run(plan, Progress.NONE).ok());
        assertEquals(4, backend.opened());
        assertEquals(4, backend.closed());

        RestoreService restores = new RestoreService(services.keys(), registry);
        assertEquals(1, restores.verify(first.toString(), "latest", "p", Progress.NONE).files());
        restores.restore(second.toString(), "latest", "p", tmp.resolve("out"), false, Progress.NONE);
        assertEquals("alpha", Files.readString(tmp.resolve("out/data/a.txt")));
        assertEquals(6, backend.opened(), "a verify and a restore: one store each");
        assertEquals(6, backend.closed());

        assertEquals(0, backend.backendClosed());
        registry.close();
        assertEquals(1, backend.backendClosed(), "the registry's close releases what the backends share");
    }

    @Test
    void aStoreThatFailsIsClosedToo() throws IOException {
        Path source = Files.createDirectories(tmp.resolve("data"));
        Files.writeString(source.resolve("a.txt"), "alpha");
        Path notAFolder = Files.writeString(tmp.resolve("file"), "in the way");
        Services services = Fixtures.services(Fixtures.configWithKey(key, tmp));
        Plan plan = new Plan("p", List.of(SourceSpec.of(source.toString())), List.of(notAFolder.toString(),
                tmp.resolve("good").toString()), Compression.ZSTD, Retention.KEEP_ALL);

        BackupResult r = backups(services).run(plan, Progress.NONE);
        assertFalse(r.ok(), r.toString());
        assertEquals(2, backend.opened());
        assertEquals(2, backend.closed());
    }
}
