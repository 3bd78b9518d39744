package dev.firesafe.engine.restore;

import dev.firesafe.archive.Compression;
import dev.firesafe.core.ExitCode;
import dev.firesafe.core.FiresafeException;
import dev.firesafe.core.Progress;
import dev.firesafe.crypto.MasterKey;
import dev.firesafe.engine.backup.BackupResult;
import dev.firesafe.plan.Plan;
import dev.firesafe.plan.Retention;
import dev.firesafe.plan.SourceSpec;
import dev.firesafe.repository.BackupCatalog;
import dev.firesafe.store.local.LocalStore;
import dev.firesafe.testing.CraftedBackups;
import dev.firesafe.testing.Fixtures;
import dev.firesafe.testing.Trees;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #18, point 3: a backup of plan 'web' copied into plan 'vault''s folder on the target (no key needed to do
 * that) must not be verified or restored as a 'vault' backup, nor chosen as 'vault''s latest. Its authenticated
 * header names its plan and id; they are compared with where it was found. Both formats.
 */
class PlanFolderTest {

    @TempDir
    Path tmp;

    private final MasterKey key = MasterKey.generate(65536);

    /** vault's backup (T1), then web's (T2), then web's object copied into vault's folder; returns the copy's id. */
    private String[] scene(boolean chunked, Path target) throws IOException {
        String vault;
        String web;
        if (chunked) {
            Trees.write(tmp.resolve("v/secret.txt"), bytes("vault"), "rw-r--r--");
            Trees.write(tmp.resolve("w/w.txt"), bytes("web"), "rw-r--r--");
            vault = backup("vault", tmp.resolve("v"), target);
            web = backup("web", tmp.resolve("w"), target);
        } else {
            Path v = tmp.resolve("v1/secret.txt");
            Path w = tmp.resolve("w1/w.txt");
            Trees.write(v, bytes("vault"), "rw-r--r--");
            Trees.write(w, bytes("web"), "rw-r--r--");
            Instant t1 = Instant.now().minusSeconds(60);
            vault = CraftedBackups.withWriter(target, "vault", key, t1, (wr, m) ->
                    wr.file("v/secret.txt", v, CraftedBackups.meta(5)));
            web = CraftedBackups.withWriter(target, "web", key, t1.plusSeconds(30), (wr, m) ->
                    wr.file("w/w.txt", w, CraftedBackups.meta(3)));
        }
        Files.copy(target.resolve(BackupCatalog.objectName("web", web)),
                target.resolve(BackupCatalog.objectName("vault", web)));
        return new String[] {vault, web};
    }

    private String backup(String plan, Path source, Path target) {
        BackupResult r = Fixtures.backupService(key, tmp).run(new Plan(plan, List.of(SourceSpec.of(source.toString())),
                List.of(target.toString()), Compression.ZSTD, Retention.KEEP_ALL), Progress.NONE);
        assertTrue(r.ok(), r.toString());
        return r.id();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void formatOne() throws IOException {
        check(false);
    }

    @Test
    void formatTwo() throws IOException {
        check(true);
    }

    private void check(boolean chunked) throws IOException {
        Path target = tmp.resolve(chunked ? "t2" : "t1");
        String[] ids = scene(chunked, target);
        String vault = ids[0];
        String copied = ids[1];
        RestoreService restore = Fixtures.restoreService(key, tmp);

        // by id: verify and restore refuse it as damage, saying what it is and where it was found
        FiresafeException v = assertThrows(FiresafeException.class, () -> restore.verify(target.toString(), copied,
                "vault", Progress.NONE));
        assertMisplaced(v, copied);
        Path byId = tmp.resolve("by-id-" + chunked);
        FiresafeException r = assertThrows(FiresafeException.class, () -> restore.restore(target.toString(), copied,
                "vault", byId, false, Progress.NONE));
        assertMisplaced(r, copied);
        assertFalse(Files.exists(byId), "nothing restored");

        // 'latest' of vault skips it: vault's own backup is the newest one that is vault's
        Path latest = tmp.resolve("latest-" + chunked);
        RestoreResult restored = restore.restore(target.toString(), "latest", "vault", latest, false,
                Progress.NONE);
        assertEquals(vault, restored.id());
        assertFalse(Files.exists(latest.resolve("w")), "web's files are not restored as vault's");
        assertEquals(vault, restore.verify(target.toString(), "latest", "vault", Progress.NONE).id());

        // verify all: the copy fails (4), the others are intact
        VerifyAllResult all = restore.verifyAll(target.toString(), null, Progress.NONE);
        VerifyAllResult.Backup bad = all.backups().stream().filter(b -> b.plan().equals("vault")
                && b.id().equals(copied)).findFirst().orElseThrow();
        assertFalse(bad.ok(), bad.toString());
        assertEquals(ExitCode.INTEGRITY.code, bad.exitCode(), bad.toString());
        assertTrue(bad.error().contains("plan 'web'"), bad.error());
        assertEquals(2, all.backups().stream().filter(VerifyAllResult.Backup::ok).count(), all.toString());

        // the catalog tells it without a key, from the plaintext header
        BackupCatalog.Ref ref = BackupCatalog.list(new LocalStore(target), "vault").stream()
                .filter(b -> b.id().equals(copied)).findFirst().orElseThrow();
        assertTrue(BackupCatalog.misplaced(ref, BackupCatalog.header(new LocalStore(target), ref)).isPresent());
    }

    private static void assertMisplaced(FiresafeException e, String id) {
        assertEquals(ExitCode.INTEGRITY, e.exitCode(), e.getMessage());
        assertTrue(e.getMessage().contains("plan 'web'") && e.getMessage().contains("vault/" + id),
                e.getMessage());
    }
}
