package dev.firesafe.engine.retention;

import dev.firesafe.archive.Compression;
import dev.firesafe.repository.BackupCatalog;
import dev.firesafe.engine.backup.BackupResult;
import dev.firesafe.engine.backup.BackupService;
import dev.firesafe.core.Progress;
import dev.firesafe.crypto.KeySource;
import dev.firesafe.crypto.MasterKey;
import dev.firesafe.core.FiresafeConfig;
import dev.firesafe.plan.Plan;
import dev.firesafe.plan.Retention;
import dev.firesafe.plan.SourceSpec;
import dev.firesafe.store.local.LocalStore;
import dev.firesafe.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Prune on a real local target, with backups made on five different days by a fixed clock. */
class PruneTest {

    @TempDir
    Path tmp;

    private final MasterKey key = MasterKey.generate(65536);

    private List<String> backupsOnFiveDays(Path target, Retention retention) throws IOException {
        List<String> ids = new ArrayList<>();
        for (int day = 1; day <= 5; day++) {
            ids.add(backupAt(target, retention, "2026-03-0" + day + "T12:00:00Z").id());
        }
        return ids;
    }

    private BackupResult backupAt(Path target, Retention retention, String time) throws IOException {
        Path src = Files.createDirectories(tmp.resolve("src"));
        Files.writeString(src.resolve("f"), "data");
        FiresafeConfig config = Fixtures.configWithKey(key, tmp);
        Plan plan = new Plan("p", List.of(SourceSpec.of(src.toString())), List.of(target.toString()),
                Compression.ZSTD, retention);
        Clock clock = Clock.fixed(Instant.parse(time), ZoneOffset.UTC);
        BackupResult r = Fixtures.services(config, clock).backups().run(plan, Progress.NONE);
        assertTrue(r.ok());
        return r;
    }

    @Test
    void retentionAfterABackupNeverRemovesTheBackupJustMadeWhenTheClockWentBack() throws IOException {
        // A machine without a real-time clock (a Raspberry Pi) that backs up before NTP has set the time, or one
        // whose clock once ran ahead: the new backup's id sorts before the existing newest one. keep-last: 1 must
        // not delete the data just backed up and report success.
        Path target = tmp.resolve("t");
        Retention keepOne = new Retention(1, null, null, null, null, null);
        String earlier = backupAt(target, keepOne, "2026-03-05T12:00:00Z").id();
        BackupResult late = backupAt(target, keepOne, "2026-03-01T08:00:00Z");
        assertEquals(List.of(), late.targets().get(0).pruned(), "the backup just made was not removed");
        assertEquals(List.of(late.id(), earlier), BackupCatalog.list(new LocalStore(target), "p").stream()
                .map(BackupCatalog.Ref::id).toList());
    }

    @Test
    void backupAppliesRetentionAndDryRunChangesNothing() throws IOException {
        Path target = tmp.resolve("t");
        List<String> ids = backupsOnFiveDays(target, new Retention(2, null, null, null, null, null));
        LocalStore t = new LocalStore(target);
        assertEquals(ids.subList(3, 5), BackupCatalog.list(t, "p").stream().map(BackupCatalog.Ref::id).toList());

        Plan stricter = new Plan("p", List.of(), List.of(), Compression.ZSTD,
                new Retention(1, null, null, null, null, null));
        PruneService.Report dry = Fixtures.retentionWithoutKey().prune(t, stricter, true);
        assertEquals(List.of(ids.get(3)), dry.removed());
        assertEquals(List.of(ids.get(4)), dry.kept().stream().map(PruneService.Kept::id).toList());
        assertEquals(2, BackupCatalog.list(t, "p").size(), "a dry run removes nothing");

        PruneService.Report real = Fixtures.retentionWithoutKey().prune(t, stricter, false);
        assertTrue(real.ok());
        assertEquals(List.of(ids.get(4)), BackupCatalog.list(t, "p").stream().map(BackupCatalog.Ref::id).toList());
    }

    @Test
    void aForeignFileNamedLikeABackupWithAnImpossibleDateIsIgnored() throws IOException {
        // The id pattern matches (digits in the right places) but there is no 13th month: such a file (another
        // tool's, a botched rename) must be ignored like any foreign file, not crash every listing, prune and
        // backup of the plan with an internal error.
        Path target = tmp.resolve("t");
        Path foreign = Files.createDirectories(target.resolve("p")).resolve("20261399T000000.000Z-00000000.firesafe");
        Files.writeString(foreign, "not a backup");
        List<String> ids = backupsOnFiveDays(target, new Retention(2, null, null, null, null, null));
        LocalStore t = new LocalStore(target);
        assertEquals(ids.subList(3, 5), BackupCatalog.list(t, "p").stream().map(BackupCatalog.Ref::id).toList());
        assertTrue(Files.exists(foreign), "prune leaves files that are not backups alone");
    }

    @Test
    void aTargetThatCannotBeListedIsLeftAlone() throws IOException {
        Path notADir = Files.writeString(tmp.resolve("file"), "x");
        Plan plan = new Plan("p", List.of(), List.of(), Compression.ZSTD, new Retention(1, null, null, null, null,
                null));
        PruneService.Report r = Fixtures.retentionWithoutKey().prune(new LocalStore(notADir), plan, false);
        assertFalse(r.ok());
        assertTrue(r.error().contains("nothing removed"), r.error());
        assertTrue(Files.exists(notADir));
    }
}
