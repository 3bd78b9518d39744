package dev.firesafe.engine.backup;

import dev.firesafe.app.Services;
import dev.firesafe.archive.Compression;
import dev.firesafe.core.ExitCode;
import dev.firesafe.core.FiresafeException;
import dev.firesafe.core.Progress;
import dev.firesafe.crypto.KeyRing;
import dev.firesafe.crypto.MasterKey;
import dev.firesafe.engine.retention.PruneService;
import dev.firesafe.plan.Plan;
import dev.firesafe.plan.Retention;
import dev.firesafe.plan.SourceSpec;
import dev.firesafe.repository.BackupCatalog;
import dev.firesafe.store.Store;
import dev.firesafe.store.local.LocalStore;
import dev.firesafe.testing.Fixtures;
import dev.firesafe.testing.TestClock;
import dev.firesafe.testing.Trees;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #20: a backup running while prune removes the backup its deduplication referred to must not commit a broken
 * backup. The rule (docs/retention.md, "Prune while backups run"): a removed backup still counts as kept for the
 * grace period, so prune reclaims nothing a backup that started while it was listed can refer to, as long as that
 * backup takes less than the grace period. Played out in one thread: the backup's commit waits while another
 * backup and its retention run, with a clock the test moves.
 */
class PruneWhileBackingUpTest {

    @TempDir
    Path tmp;

    private final MasterKey key = MasterKey.generate(65536);
    private final TestClock clock = new TestClock("2026-03-01T00:00:00Z");

    private Services services(Duration grace) {
        return Fixtures.services(Fixtures.config(Map.of("firesafe.master-key", key.toEscrowText(),
                "firesafe.default-key-file", tmp.resolve("no-key-file").toString(),
                "firesafe.prune-grace", grace.toSeconds() + "s")), clock);
    }

    private Plan plan(Path source, Path target, int keepLast) {
        return new Plan("p", List.of(SourceSpec.of(source.toString())), List.of(target.toString()),
                Compression.ZSTD, new Retention(keepLast, null, null, null, null, null));
    }

    @Test
    void aBackupThatStartedWhileTheBackupItReferencesWasListedFindsItsChunksAfterThatOneIsPruned()
            throws IOException {
        Scenario s = run(PruneService.DEFAULT_GRACE);
        assertTrue(Files.exists(s.target.resolve(BackupCatalog.objectName("p", s.a))),
                "the removed backup's object stays through the grace period");
        assertEquals(s.treeAtB, s.restore(s.b), "the backup made meanwhile restores, also after a prune past "
                + "the grace period");
    }

    @Test
    void withoutAGracePeriodTheSameInterleavingCommitsABrokenBackup() throws IOException {
        // the control: what the grace period prevents
        Scenario s = run(Duration.ZERO);
        FiresafeException broken = assertThrows(FiresafeException.class, () -> s.restore(s.b));
        assertEquals(ExitCode.INTEGRITY, broken.exitCode());
        assertTrue(broken.getMessage().contains(s.a), broken.getMessage());
    }

    @Test
    void aBackupThatRanLongerThanTheGracePeriodIsNotCommittedWhenABackupItMayReferToWasRemovedBeforeIt()
            throws IOException {
        Services services = services(Duration.ofHours(1));
        Path source = Files.createDirectories(tmp.resolve("data"));
        Path target = tmp.resolve("target");
        Trees.write(source.resolve("f"), random(1 << 20, 1), "rw-r--r--");
        Plan keepTwo = plan(source, target, 2);
        clock.advance(Duration.ofHours(1));
        String a = services.backups().run(keepTwo, Progress.NONE).id();
        Runnable meanwhile = () -> {
            try {
                Files.delete(source.resolve("f"));
                Trees.write(source.resolve("h"), random(200 << 10, 3), "rw-r--r--");
                clock.advance(Duration.ofMinutes(10));
                services.backups().run(plan(source, target, 1), Progress.NONE); // removes a
                clock.advance(Duration.ofHours(2)); // past a's grace period, before b commits
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        };
        clock.advance(Duration.ofHours(1));
        BackupResult b;
        try (StopGuard stop = StopGuard.guard("p")) {
            b = new BackupRun(Fixtures.configWithKey(key, tmp), services.retention(), clock).run(keepTwo,
                    Progress.NONE, List.of(source), List.of("data"), List.of(),
                    new BackupRun.Keys(key, key.contentKey(), KeyRing.of(key)),
                    List.of(new CommitHook(new LocalStore(target), meanwhile, true)), false, stop);
        }
        assertFalse(b.ok(), b.toString());
        String error = b.targets().get(0).error();
        assertTrue(error.contains("firesafe.prune-grace") && error.contains("backup " + a), error);
        assertFalse(BackupCatalog.list(new LocalStore(target), "p").stream().anyMatch(r -> r.id().equals(b.id())),
                "not committed");
    }

    /**
     * Issue #18, point 5: two hosts back up one plan at once with keep-last 1. Backup p (its id sorts older: it
     * started first, or its host's clock is behind) commits and is reported ok while backup q is under way; then q
     * commits. q's retention must not remove p, which was not listed when q started: another run's backup, just
     * reported ok. The next backup, which sees p listed when it starts, applies keep-last 1 to it. Format 2 here;
     * format-1 backups are never made any more, and the rule is the same for them (the ids are all it reads).
     */
    @Test
    void aBackupCommittedWhileAnotherRanIsNotRemovedByThatOnesRetention() throws IOException {
        Services services = services(PruneService.DEFAULT_GRACE);
        Path source = Files.createDirectories(tmp.resolve("data"));
        Path target = tmp.resolve("target");
        Trees.write(source.resolve("f"), random(100 << 10, 1), "rw-r--r--");
        Plan keepOne = plan(source, target, 1);
        clock.advance(Duration.ofHours(1));
        java.time.Instant qStarts = clock.instant();
        String[] p = new String[1];
        Runnable otherHost = () -> {
            try (StopGuard stop = StopGuard.guard("p")) {
                // started a minute before q, on another host: its id sorts older
                java.time.Instant started = qStarts.minus(Duration.ofMinutes(1));
                BackupResult other = new BackupRun(Fixtures.configWithKey(key, tmp), services.retention(), clock)
                        .run(keepOne, Progress.NONE, List.of(source), List.of("data"), List.of(),
                                new BackupRun.Keys(key, key.contentKey(), KeyRing.of(key)),
                                List.of(new LocalStore(target)), false, stop, started,
                                dev.firesafe.repository.BackupId.next(started));
                assertTrue(other.ok(), other.toString());
                p[0] = other.id();
            }
        };
        BackupResult q;
        try (StopGuard stop = StopGuard.guard("p")) {
            q = new BackupRun(Fixtures.configWithKey(key, tmp), services.retention(), clock).run(keepOne,
                    Progress.NONE, List.of(source), List.of("data"), List.of(),
                    new BackupRun.Keys(key, key.contentKey(), KeyRing.of(key)),
                    List.of(new CommitHook(new LocalStore(target), otherHost)), false, stop);
        }
        assertTrue(q.ok(), q.toString());
        assertTrue(p[0].compareTo(q.id()) < 0, "p's id sorts older: " + p[0] + " " + q.id());
        assertEquals(List.of(), q.targets().get(0).pruned(), "q's retention leaves p, reported ok meanwhile");
        assertEquals(List.of(p[0], q.id()), BackupCatalog.list(new LocalStore(target), "p").stream()
                .map(BackupCatalog.Ref::id).toList());
        services.restores().verify(target.toString(), p[0], "p", Progress.NONE);

        clock.advance(Duration.ofHours(1));
        BackupResult next = services.backups().run(keepOne, Progress.NONE);
        assertEquals(List.of(p[0], q.id()), next.targets().get(0).pruned().stream().sorted().toList(),
                "the next run, which saw both, keeps only itself");
    }

    private final class Scenario {
        Path source;
        Path target;
        Services services;
        String a;
        String b;
        TreeMap<String, String> treeAtB;

        TreeMap<String, String> restore(String id) throws IOException {
            Path out = tmp.resolve("out-" + id);
            services.restores().restore(target.toString(), id, "p", out, false, Progress.NONE);
            return Trees.describe(out.resolve("data"));
        }
    }

    /**
     * Backup a (files f and g); backup b starts, refers to a's chunks for f and g (unchanged), and before it
     * commits: f and g are deleted, backup c runs with keep-last 1, which removes a. Then b commits (keep-last 2
     * keeps b and c) and, the grace period over, a prune runs.
     */
    private Scenario run(Duration grace) throws IOException {
        Scenario s = new Scenario();
        s.services = services(grace);
        s.source = Files.createDirectories(tmp.resolve("data"));
        s.target = tmp.resolve("target");
        Trees.write(s.source.resolve("f"), random(1 << 20, 1), "rw-r--r--");
        Trees.write(s.source.resolve("g"), random(300 << 10, 2), "rw-r--r--");
        Plan keepTwo = plan(s.source, s.target, 2);
        Plan keepOne = plan(s.source, s.target, 1);
        clock.advance(Duration.ofHours(1));
        s.a = s.services.backups().run(keepTwo, Progress.NONE).id();
        s.treeAtB = Trees.describe(s.source);

        Runnable meanwhile = () -> {
            try {
                Files.delete(s.source.resolve("f"));
                Files.delete(s.source.resolve("g"));
                Trees.write(s.source.resolve("h"), random(200 << 10, 3), "rw-r--r--");
                clock.advance(Duration.ofMinutes(10));
                BackupResult c = s.services.backups().run(keepOne, Progress.NONE);
                assertEquals(List.of(s.a), c.targets().get(0).pruned(), "c's retention removed a");
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        };
        clock.advance(Duration.ofHours(1));
        Store store = new CommitHook(new LocalStore(s.target), meanwhile);
        PruneService retention = s.services.retention();
        BackupResult b;
        try (StopGuard stop = StopGuard.guard("p")) {
            b = new BackupRun(Fixtures.configWithKey(key, tmp), retention, clock).run(keepTwo,
                    Progress.NONE, List.of(s.source), List.of("data"), List.of(),
                    new BackupRun.Keys(key, key.contentKey(), KeyRing.of(key)), List.of(store), false, stop);
        }
        assertTrue(b.ok(), b.toString());
        assertFalse(b.full(), "b refers to a's chunks");
        s.b = b.id();

        clock.advance(PruneService.DEFAULT_GRACE.plusHours(1));
        PruneService.Report later = retention.prune(new LocalStore(s.target), keepTwo, false);
        assertTrue(later.ok(), later.error());
        return s;
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    /**
     * A store whose first upload runs {@code before} when it is committed (or, {@code written}, once its stream is
     * flushed at the end of the backup's object, before the backup checks anything before committing): what
     * happens while a backup is under way.
     */
    private static final class CommitHook implements Store {
        private final Store in;
        private final boolean written;
        private Runnable before;

        CommitHook(Store in, Runnable before) {
            this(in, before, false);
        }

        CommitHook(Store in, Runnable before, boolean written) {
            this.in = in;
            this.before = before;
            this.written = written;
        }

        private void fire() {
            Runnable r = before;
            before = null;
            if (r != null) {
                r.run();
            }
        }

        @Override
        public String describe() {
            return in.describe();
        }

        @Override
        public Upload create(String name) throws IOException {
            Upload u = in.create(name);
            OutputStream closing = new java.io.FilterOutputStream(u.stream()) {
                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    out.write(b, off, len);
                }

                @Override
                public void flush() throws IOException {
                    super.flush();
                    if (written) {
                        fire();
                    }
                }
            };
            return new Upload() {
                @Override
                public OutputStream stream() {
                    return closing;
                }

                @Override
                public void commit() throws IOException {
                    if (!written) {
                        fire();
                    }
                    u.commit();
                }

                @Override
                public void abort() {
                    u.abort();
                }
            };
        }

        @Override
        public List<StoredObject> list(String prefix) throws IOException {
            return in.list(prefix);
        }

        @Override
        public InputStream open(String name, long offset, long length) throws IOException {
            return in.open(name, offset, length);
        }

        @Override
        public void delete(String name) throws IOException {
            in.delete(name);
        }
    }
}
