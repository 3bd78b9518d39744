package dev.firesafe.engine.restore;

import dev.firesafe.core.ExitCode;
import dev.firesafe.core.FiresafeException;
import dev.firesafe.testing.SmallDisk;
import dev.firesafe.archive.Compression;
import dev.firesafe.engine.backup.BackupResult;
import dev.firesafe.core.Progress;
import dev.firesafe.crypto.MasterKey;
import dev.firesafe.plan.Plan;
import dev.firesafe.plan.Retention;
import dev.firesafe.plan.SourceSpec;
import dev.firesafe.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The note that says a restore has not finished: there from the start, gone at the end, kept when it fails. */
class IncompleteRestoreTest {

    @TempDir
    Path tmp;

    private Path note(Path dest) {
        return dest.resolve(IncompleteRestore.NOTE);
    }

    private static List<Path> contentsOf(Path dir) throws IOException {
        try (Stream<Path> all = Files.list(dir)) {
            return all.toList();
        }
    }

    @Test
    void aRestoreThatNeverGetsToItsEndLeavesTheNote() throws IOException {
        Path dest = Files.createDirectories(tmp.resolve("dest"));
        IncompleteRestore.begin(dest); // and then the process is killed: nothing else runs
        assertEquals(List.of(note(dest)), contentsOf(dest), "only the note, no leftover of writing it");
        assertTrue(Files.readString(note(dest)).startsWith("This restore has NOT finished"));
    }

    @ParameterizedTest(name = "whole: {0}")
    @ValueSource(booleans = {true, false})
    void aFinishedRestoreWholeOrPartialRemovesItsNote(boolean whole) throws IOException {
        Path dest = Files.createDirectories(tmp.resolve("dest"));
        IncompleteRestore.begin(dest).finished(whole);
        assertEquals(List.of(), contentsOf(dest));
    }

    @Test
    void aPartialRestoreAfterAKilledOneKeepsTheNoteAWholeOneRemovesIt() throws IOException {
        Path dest = Files.createDirectories(tmp.resolve("dest"));
        IncompleteRestore.begin(dest); // killed: the note stays
        IncompleteRestore.begin(dest).finished(false); // restore --force --include X: only X is known good
        assertTrue(Files.readString(note(dest)).startsWith("An earlier restore into this folder did NOT finish"),
                Files.readString(note(dest)));
        IncompleteRestore.begin(dest).finished(true); // restore --force of everything
        assertEquals(List.of(), contentsOf(dest));
    }

    @Test
    void aFailureBeforeAnythingWasWrittenLeavesNoNote() throws IOException {
        Path dest = Files.createDirectories(tmp.resolve("dest"));
        FiresafeException wrongKey = FiresafeException.key("not the key this backup was made with");
        assertEquals(wrongKey, IncompleteRestore.begin(dest).failed(0, wrongKey));
        assertEquals(List.of(), contentsOf(dest));
    }

    @Test
    void aFailureBeforeAnythingWasWrittenKeepsTheNoteOfAnEarlierRestoreThatDidNotFinish() throws IOException {
        Path dest = Files.createDirectories(tmp.resolve("dest"));
        IncompleteRestore.begin(dest); // killed after writing part of a file
        Files.writeString(dest.resolve("cut-short.bin"), "the first half");
        FiresafeException wrongKey = FiresafeException.key("not the key this backup was made with");
        assertEquals(wrongKey, IncompleteRestore.begin(dest).failed(0, wrongKey)); // restore --force again
        assertTrue(Files.readString(note(dest)).startsWith("This restore has NOT finished"),
                "cut-short.bin is still what the killed restore left: the folder must keep saying so");
    }

    @Test
    void aFailureAfterWritingIsNamedInTheNoteAndTheError() throws IOException {
        Path dest = Files.createDirectories(tmp.resolve("dest"));
        FiresafeException cut = FiresafeException.integrity("backup X is truncated");
        FiresafeException e = IncompleteRestore.begin(dest).failed(12, cut);
        assertEquals(ExitCode.INTEGRITY, e.exitCode());
        assertTrue(e.getMessage().contains("is INCOMPLETE: 12 entries") && e.getMessage().contains("see "
                + note(dest)), e.getMessage());
        String text = Files.readString(note(dest));
        assertTrue(text.startsWith("This restore did NOT complete.") && text.contains("backup X is truncated"), text);
        assertEquals(List.of(note(dest)), contentsOf(dest));
    }

    /** A backup of a file (or folder) that happens to carry the note's name: restored like any other. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aBackupEntryNamedLikeTheNoteIsRestoredNotTakenForIt(boolean force) throws IOException {
        MasterKey key = MasterKey.generate(65536);
        Path source = Files.writeString(Files.createDirectories(tmp.resolve("kept")).resolve(IncompleteRestore.NOTE),
                "a note someone chose to keep");
        Path target = tmp.resolve("target");
        BackupResult backup = Fixtures.backupService(key, tmp).run(new Plan("notes",
                List.of(SourceSpec.of(source.toString())), List.of(target.toString()), Compression.ZSTD,
                Retention.KEEP_ALL), Progress.NONE);
        assertTrue(backup.ok(), backup.toString());

        Path dest = Files.createDirectories(tmp.resolve("dest"));
        if (force) {
            Files.writeString(dest.resolve("other.txt"), "already there");
        }
        RestoreResult r = Fixtures.restoreService(key, tmp).restore(target.toString(), "latest", null, dest,
                RestoreOptions.whole(force), Progress.NONE);
        assertEquals(1, r.restoredFiles());
        assertEquals("a note someone chose to keep", Files.readString(note(dest)));
    }

    @Test
    void aLinkNamedLikeTheNoteIsReplacedNeverWrittenThrough() throws IOException {
        Path dest = Files.createDirectories(tmp.resolve("dest")); // a --force restore into a used folder
        Path elsewhere = Files.writeString(tmp.resolve("elsewhere.txt"), "not yours");
        Files.createSymbolicLink(note(dest), elsewhere);
        IncompleteRestore.begin(dest);
        assertFalse(Files.isSymbolicLink(note(dest)));
        assertEquals("not yours", Files.readString(elsewhere));
    }

    @Test
    void onAFullDiskTheNoteFromTheStartStaysWhole() throws Exception {
        try (SmallDisk disk = SmallDisk.mount(tmp.resolve("small"), 256 << 10)) {
            Path dest = Files.createDirectories(disk.root().resolve("dest"));
            IncompleteRestore restore = IncompleteRestore.begin(dest);
            String started = Files.readString(note(dest));
            fill(dest.resolve("restored.bin"));

            FiresafeException e = restore.failed(1, FiresafeException.destination("disk full", null));
            assertEquals(started, Files.readString(note(dest)), "not emptied by a rewrite that had no room");
            assertTrue(e.getMessage().contains("the failure could not be added to it"), e.getMessage());
            assertEquals(List.of(note(dest), dest.resolve("restored.bin")),
                    contentsOf(dest).stream().sorted().toList(), "no half-written replacement left");
        }
    }

    private static void fill(Path file) throws IOException {
        byte[] block = new byte[4096];
        try (OutputStream out = Files.newOutputStream(file)) {
            assertThrows(IOException.class, () -> {
                while (true) {
                    out.write(block);
                }
            });
        } catch (IOException e) {
            // closing a file on a full disk may fail too; the disk is full either way
        }
    }
}
