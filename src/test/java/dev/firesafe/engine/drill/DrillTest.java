package dev.firesafe.engine.drill;

import java.time.Clock;

import dev.firesafe.app.Services;

import dev.firesafe.core.ExitCode;
import dev.firesafe.core.FiresafeException;
import dev.firesafe.archive.ArchiveWriter;
import dev.firesafe.archive.Compression;
import dev.firesafe.archive.Manifest;
import dev.firesafe.engine.backup.BackupResult;
import dev.firesafe.engine.backup.BackupService;
import dev.firesafe.core.Progress;
import dev.firesafe.crypto.KeySource;
import dev.firesafe.crypto.MasterKey;
import dev.firesafe.crypto.RecoveryKey;
import dev.firesafe.core.FiresafeConfig;
import dev.firesafe.plan.Plan;
import dev.firesafe.plan.Retention;
import dev.firesafe.plan.SourceSpec;
import dev.firesafe.engine.restore.RestoreService;
import dev.firesafe.testing.CraftedBackups;
import dev.firesafe.testing.Fixtures;
import dev.firesafe.testing.Trees;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue #7: restore drills through the real services on real local targets. */
class DrillTest {

    @TempDir
    Path tmp;

    private final MasterKey key = MasterKey.generate(65536);
    private Path source;
    private Path scratch;

    @BeforeEach
    void setUp() throws IOException {
        source = Trees.everyKind(tmp.resolve("tree"));
        scratch = tmp.resolve("scratch");
        Files.createDirectories(scratch);
    }

    private Plan plan(String name, Path... targets) {
        return new Plan(name, List.of(SourceSpec.of(source.toString())),
                Stream.of(targets).map(Path::toString).toList(), Compression.ZSTD, Retention.KEEP_ALL);
    }

    private DrillService drills(FiresafeConfig config) {
        Services services = Fixtures.services(config);
        return new DrillService(services.keys(), services.restores(), services.stores(), config,
                services.settings().postgres(), scratch, Clock.systemUTC(), finished -> { });
    }

    private DrillService drills() {
        return drills(Fixtures.configWithKey(key, tmp));
    }

    private List<Path> scratchContents() throws IOException {
        try (Stream<Path> all = Files.list(scratch)) {
            return all.toList();
        }
    }

    @Test
    void aGoodBackupPassesOnEveryTargetAndLeavesNoScratchBehind() throws IOException {
        Plan plan = plan("good", tmp.resolve("t1"), tmp.resolve("t2"));
        BackupResult backup = Fixtures.backupService(key, tmp).run(plan, Progress.NONE);
        assertTrue(backup.ok());

        DrillResult r = drills().drill(plan, null, null);

        assertTrue(r.ok(), r.toString());
        assertEquals(0, r.exitCode());
        assertEquals(2, r.targets().size());
        for (DrillResult.TargetDrill t : r.targets()) {
            assertTrue(t.ok(), t.toString());
            assertEquals(backup.id(), t.backupId());
            assertEquals(backup.files(), t.files());
            assertEquals(backup.bytesIn(), t.bytes());
            assertEquals(List.of(), t.differences());
            assertNull(t.error());
            assertTrue(t.restoreMs() >= 0);
        }
        assertEquals(List.of(), scratchContents(), "the restored plaintext is removed after a passed drill");
    }

    /** Issue #19, point 12: "1 files" was fixed in the commands' output, but the host's log line still said it. */
    @Test
    void theHostsLogLineSaysOneFile() throws IOException {
        source = Files.createDirectories(tmp.resolve("one"));
        Files.writeString(source.resolve("only.txt"), "one file\n");
        Plan plan = plan("one", tmp.resolve("t1"));
        assertTrue(Fixtures.backupService(key, tmp).run(plan, Progress.NONE).ok());
        List<String> logged = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Logger log = java.util.logging.Logger.getLogger(DrillService.class.getName());
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                logged.add(r instanceof org.jboss.logmanager.ExtLogRecord e ? e.getFormattedMessage() : r.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        log.addHandler(capture);
        try {
            assertTrue(drills().drill(plan, null, null, true).ok());
        } finally {
            log.removeHandler(capture);
        }
        assertTrue(logged.stream().anyMatch(l -> l.contains("passed") && l.contains(", 1 file, ")), logged.toString());
        assertFalse(logged.stream().anyMatch(l -> l.contains("1 files")), logged.toString());
    }

    @Test
    void linkTargetsWithTrailingOrDoubledSlashesPass() throws IOException, InterruptedException {
        // Restore creates such links normalised ("sub", "sub/deeper"); the drill once called that an integrity
        // failure (exit 4) of a good backup (found by review).
        // Java's Path drops those slashes, so ln(1) makes the links
        for (String[] link : new String[][] {{"sub/", "trailing-slash"}, {"sub//deeper", "doubled-slash"}}) {
            Process ln = new ProcessBuilder("ln", "-s", link[0], source.resolve(link[1]).toString()).start();
            assertEquals(0, ln.waitFor(), "ln -s " + link[0]);
        }
        assertEquals("sub/", Files.readSymbolicLink(source.resolve("trailing-slash")).toString(), "as written");
        Plan plan = plan("links", tmp.resolve("t"));
        assertTrue(Fixtures.backupService(key, tmp).run(plan, Progress.NONE).ok());
        DrillResult r = drills().drill(plan, null, null);
        assertTrue(r.ok(), r.toString());
    }

    @Test
    void aCorruptedBackupFailsNamingTheFileAndLeavesNoScratchBehind() throws IOException {
        Path target = tmp.resolve("target");
        CraftedBackups.write(target, "bad", key, Compression.ZSTD, plain -> {
            Manifest manifest = CraftedBackups.manifest("bad");
            try (ArchiveWriter w = new ArchiveWriter(plain, manifest, n -> {
            })) {
                Path good = tmp.resolve("good.txt");
                Files.writeString(good, "fine");
                w.file("data/good.txt", good, CraftedBackups.meta(4));
                Path bad = tmp.resolve("ledger.db");
                Files.writeString(bad, "the real content");
                w.file("data/ledger.db", bad, CraftedBackups.meta(16));
                // the manifest promises other content than the archive holds: what bit rot before upload looks like
                Manifest.Entry e = manifest.entries.remove(manifest.entries.size() - 1);
                manifest.entries.add(new Manifest.Entry(e.path(), e.type(), e.size(), e.mode(), e.mtime(),
                        "0".repeat(64), null));
                w.finish(Instant.now());
            }
        });

        DrillResult r = drills().drill(plan("bad", target), null, null);

        assertFalse(r.ok());
        assertEquals(ExitCode.INTEGRITY.code, r.exitCode());
        DrillResult.TargetDrill t = r.targets().get(0);
        assertTrue(t.error().contains("data/ledger.db"), t.error());
        assertFalse(t.error().contains("data/good.txt"), t.error());
        assertEquals(List.of(), scratchContents(), "the partly restored files are removed after a failed drill");
    }

    @Test
    void oneBrokenTargetFailsTheDrillWhileTheOtherPasses() throws IOException {
        Path t1 = tmp.resolve("t1");
        Path t2 = tmp.resolve("t2");
        Plan plan = plan("mixed", t1, t2);
        BackupResult backup = Fixtures.backupService(key, tmp).run(plan, Progress.NONE);
        Path copy = t2.resolve(backup.targets().get(1).object());
        byte[] bytes = Files.readAllBytes(copy);
        bytes[bytes.length / 2] ^= 1;
        Files.write(copy, bytes);

        DrillResult r = drills().drill(plan, null, null);

        assertFalse(r.ok());
        assertEquals(ExitCode.INTEGRITY.code, r.exitCode());
        assertTrue(r.targets().get(0).ok());
        assertFalse(r.targets().get(1).ok());
        // the scratch folder is gone, so the error must not send anyone to a note inside it
        assertFalse(r.targets().get(1).error().contains("FIRESAFE-RESTORE-INCOMPLETE"), r.targets().get(1).error());
        assertEquals(List.of(), scratchContents());
    }

    @Test
    void anEmptyTargetIsATargetFailure() {
        DrillResult r = drills().drill(plan("none", tmp.resolve("empty")), null, null);
        assertEquals(ExitCode.TARGET.code, r.exitCode());
        assertTrue(r.targets().get(0).error().contains("no backups"), r.targets().get(0).error());
    }

    @Test
    void differencesOnDiskAreNamed() throws IOException {
        Plan plan = plan("disk", tmp.resolve("t"));
        Fixtures.backupService(key, tmp).run(plan, Progress.NONE);
        Manifest manifest = new Manifest();
        Path restored = tmp.resolve("restored");
        Files.createDirectories(restored.resolve("a"));
        Files.writeString(restored.resolve("a/same.txt"), "same");
        Files.writeString(restored.resolve("a/changed.txt"), "changed");
        Files.writeString(restored.resolve("a/extra.txt"), "extra");
        manifest.entries.add(new Manifest.Entry("a", Manifest.Entry.DIR, null, "0755", null, null, null));
        manifest.entries.add(new Manifest.Entry("a/same.txt", Manifest.Entry.FILE, 4L, "0644", null,
                Trees.sha256(restored.resolve("a/same.txt")), null));
        manifest.entries.add(new Manifest.Entry("a/changed.txt", Manifest.Entry.FILE, 7L, "0644", null,
                "0".repeat(64), null));
        manifest.entries.add(new Manifest.Entry("a/gone.txt", Manifest.Entry.FILE, 1L, "0644", null,
                "0".repeat(64), null));

        assertEquals(List.of("a/changed.txt: restored content does not match the manifest's SHA-256",
                "a/extra.txt: restored but not in the manifest",
                "a/gone.txt: file missing after restore"), TreeCheck.differences(restored, manifest));
    }

    @Test
    void writeOnlyModeRefusesWithoutThePrivateKeyAndPassesWithIt() throws IOException {
        RecoveryKey recovery = RecoveryKey.generate();
        Plan plan = plan("vault", tmp.resolve("t"));
        Map<String, String> host = new HashMap<>();
        host.put("firesafe.public-key", recovery.publicKey().toText());
        host.put("firesafe.default-key-file", tmp.resolve("no-key-file").toString());
        FiresafeConfig hostConfig = Fixtures.config(host);
        assertTrue(Fixtures.services(hostConfig).backups().run(plan, Progress.NONE).ok());

        FiresafeException e = assertThrows(FiresafeException.class, () -> drills(hostConfig).drill(plan, null,
                null));
        assertEquals(ExitCode.KEY, e.exitCode());
        assertTrue(e.getMessage().contains("private recovery key"), e.getMessage());
        assertTrue(e.getMessage().contains("FIRESAFE_MASTER_KEY"), e.getMessage());
        assertFalse(e.getMessage().contains(recovery.publicKey().toText()), "no key text in messages");
        assertEquals(List.of(), scratchContents(), "nothing was restored");

        Map<String, String> keeper = new HashMap<>(host);
        keeper.put("firesafe.master-key", recovery.toEscrowText());
        DrillResult r = drills(Fixtures.config(keeper)).drill(plan, null, null);
        assertTrue(r.ok(), r.toString());
        assertEquals(List.of(), scratchContents());
    }

    @Test
    void postgresReplayTakesOneTargetAtATime() {
        Plan plan = plan("two", tmp.resolve("t1"), tmp.resolve("t2"));
        FiresafeException e = assertThrows(FiresafeException.class, () -> drills().drill(plan, null,
                "postgresql://postgres@127.0.0.1:5432/"));
        assertEquals(ExitCode.USAGE, e.exitCode());
        assertTrue(e.getMessage().contains("--target"), e.getMessage());
    }

    @Test
    void scratchDirRemovesReadOnlyFoldersAndDoesNotFollowLinks() throws IOException {
        Path outside = tmp.resolve("outside.txt");
        Files.writeString(outside, "keep me", StandardCharsets.UTF_8);
        ScratchDir dir = new ScratchDir(scratch);
        Path ro = Files.createDirectories(dir.path().resolve("ro/inner"));
        Files.writeString(ro.resolve("f"), "x");
        Files.createSymbolicLink(dir.path().resolve("link"), outside);
        Files.setPosixFilePermissions(ro, java.nio.file.attribute.PosixFilePermissions.fromString("r-xr-xr-x"));
        dir.close();
        assertFalse(Files.exists(dir.path()));
        assertEquals("keep me", Files.readString(outside));
    }
}
