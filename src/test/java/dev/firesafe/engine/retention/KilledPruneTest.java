package dev.firesafe.engine.retention;

import dev.firesafe.app.Services;
import dev.firesafe.archive.Compression;
import dev.firesafe.core.Progress;
import dev.firesafe.crypto.MasterKey;
import dev.firesafe.engine.backup.BackupResult;
import dev.firesafe.plan.Plan;
import dev.firesafe.plan.Retention;
import dev.firesafe.plan.SourceSpec;
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
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

import static dev.firesafe.engine.retention.ChunkedPruneTest.HOUR;
import static dev.firesafe.engine.retention.ChunkedPruneTest.PAST_GRACE;
import static dev.firesafe.engine.retention.ChunkedPruneTest.names;
import static dev.firesafe.engine.retention.ChunkedPruneTest.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #20: a prune killed midway loses nothing, and the next one finishes the job. The prune is stopped before
 * each of its changes in turn (writing a generation, committing it, each delete): every time, the kept backup
 * restores from what is left, and a second prune leaves exactly what an uninterrupted one does.
 */
class KilledPruneTest {

    @TempDir
    Path tmp;

    private final MasterKey key = MasterKey.generate(65536);
    private final TestClock clock = new TestClock("2026-03-01T00:00:00Z");

    private Services services() {
        return Fixtures.services(Fixtures.configWithKey(key, tmp), clock);
    }

    @Test
    void aPruneStoppedBeforeAnyOfItsStepsLosesNothingAndTheNextOneFinishes() throws IOException {
        Path source = Files.createDirectories(tmp.resolve("data"));
        for (int i = 0; i < 12; i++) {
            Trees.write(source.resolve("f" + i), random(256 << 10, i), "rw-r--r--");
        }
        Path pristine = tmp.resolve("target");
        Plan keepOne = new Plan("p", List.of(SourceSpec.of(source.toString())), List.of(pristine.toString()),
                Compression.ZSTD, new Retention(1, null, null, null, null, null));
        backup(keepOne);                                        // a: 12 files
        for (int i = 0; i < 8; i++) {
            Trees.write(source.resolve("f" + i), random(256 << 10, 100 + i), "rw-r--r--");
        }
        backup(keepOne);                                        // b: 8 of them changed
        backup(keepOne);                                        // c: nothing changed, holds no chunk
        Trees.write(source.resolve("f8"), random(256 << 10, 200), "rw-r--r--");
        Trees.write(source.resolve("f9"), random(256 << 10, 201), "rw-r--r--");
        String d = backup(keepOne).id();                        // d: 2 more; a is 2/12 live, c dead
        TreeMap<String, String> tree = Trees.describe(source);
        clock.advance(PAST_GRACE);

        Path whole = copy(pristine, "whole");
        Counting counting = new Counting(new LocalStore(whole), Integer.MAX_VALUE);
        PruneService.Report uninterrupted = services().retention().prune(counting, keepOne, false);
        assertTrue(uninterrupted.ok(), uninterrupted.error());
        assertEquals(List.of("rewrite", "delete"), uninterrupted.reclaimed().stream()
                .map(PruneService.Reclaimed::action).toList(), uninterrupted.toString());
        TreeSet<String> finished = names(whole);
        int steps = counting.changes;
        assertEquals(5, steps, "write the generation, commit it, delete a's object; delete c's object, its mark: "
                + counting.log);

        for (int stop = 0; stop < steps; stop++) {
            Path target = copy(pristine, "stopped-before-" + stop);
            Counting failing = new Counting(new LocalStore(target), stop);
            PruneService.Report killed = services().retention().prune(failing, keepOne, false);
            assertFalse(killed.ok(), "stopped before step " + stop);
            assertEquals(tree, restored(target, d), "after a prune stopped before " + failing.log.get(stop)
                    + ", d restores");
            PruneService.Report rerun = services().retention().prune(new LocalStore(target), keepOne, false);
            assertTrue(rerun.ok(), rerun.error());
            assertEquals(finished, names(target), "the next prune finishes the job stopped before "
                    + failing.log.get(stop));
            assertEquals(tree, restored(target, d));
        }
    }

    private BackupResult backup(Plan plan) {
        clock.advance(HOUR);
        BackupResult r = services().backups().run(plan, Progress.NONE);
        assertTrue(r.ok(), r.toString());
        return r;
    }

    private TreeMap<String, String> restored(Path target, String id) throws IOException {
        Path out = tmp.resolve("out-" + System.nanoTime());
        services().restores().restore(target.toString(), id, "p", out, false, Progress.NONE);
        return Trees.describe(out.resolve("data"));
    }

    private Path copy(Path from, String name) throws IOException {
        Path to = tmp.resolve(name);
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(from.relativize(f).toString()));
            }
        }
        return to;
    }

    /**
     * Counts the changes a prune makes (an upload started, committed, an object deleted) and fails the one
     * numbered {@code failAt} (from 0) and every one after it, as a process killed there would make none.
     */
    private static final class Counting implements Store {
        private final Store in;
        private final int failAt;
        int changes;
        final List<String> log = new ArrayList<>();

        Counting(Store in, int failAt) {
            this.in = in;
            this.failAt = failAt;
        }

        private void change(String what) throws IOException {
            log.add(what);
            if (changes++ >= failAt) {
                throw new IOException("killed before: " + what);
            }
        }

        @Override
        public String describe() {
            return in.describe();
        }

        @Override
        public Upload create(String name) throws IOException {
            change("write " + name);
            Upload u = in.create(name);
            return new Upload() {
                @Override
                public OutputStream stream() {
                    return u.stream();
                }

                @Override
                public void commit() throws IOException {
                    try {
                        change("commit " + name);
                    } catch (IOException e) {
                        u.abort();
                        throw e;
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
            change("delete " + name);
            in.delete(name);
        }
    }
}
