package dev.firesafe.store;

import dev.firesafe.testing.SmallDisk;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The note for backups that would burn with their data: every target on the disk of a source. */
class SameDiskTest {

    @TempDir
    Path tmp;

    @Test
    void aTargetBesideTheSourceGetsTheNoteAlsoBeforeItsFolderExists() throws IOException {
        Path data = Files.createDirectories(tmp.resolve("data"));
        Path notMadeYet = tmp.resolve("mnt/usb/backups"); // what an unmounted disk's target looks like
        Optional<String> note = SameDisk.note(List.of(data), List.of(notMadeYet.toUri().toString()));
        assertTrue(note.isPresent());
        assertTrue(note.get().contains("same disk as " + data) && note.get().contains(notMadeYet + " should be on"),
                note.get());
        assertTrue(SameDisk.note(List.of(data), List.of(notMadeYet.toString())).isPresent(), "plain paths too");
    }

    /** `backup` of the default plan backs up "." (README command 1): the note names the folder, not "/x/." */
    @Test
    void aRelativeSourceIsNamedAsTheFolderItIs() {
        Path here = Path.of(".");
        String beside = Path.of("target", "same-disk-test", "backups").toString(); // never made
        Optional<String> note = SameDisk.note(List.of(here), List.of(beside));
        assertTrue(note.isPresent());
        String folder = here.toAbsolutePath().normalize().toString();
        assertTrue(note.get().startsWith("the backup is on the same disk as " + folder + ": "), note.get());
        assertTrue(note.get().contains("if " + Path.of(beside).toAbsolutePath() + " should be"), note.get());
    }

    @Test
    void anyTargetElsewhereMeansNoNote() throws IOException {
        Path data = Files.createDirectories(tmp.resolve("data"));
        String beside = tmp.resolve("backups").toString();
        assertEquals(Optional.empty(), SameDisk.note(List.of(data), List.of(beside, "s3://bucket/firesafe")));
        assertEquals(Optional.empty(), SameDisk.note(List.of(data),
                List.of(beside, "github://owner/repo/backups?branch=main")));
        assertEquals(Optional.empty(), SameDisk.note(List.of(), List.of(beside)), "no folder sources");
        assertEquals(Optional.empty(), SameDisk.note(List.of(data), List.of()));
    }

    @Test
    void aTargetOnAnotherDiskGetsNoNote() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        try (SmallDisk other = SmallDisk.mount(tmp.resolve("other-disk"), 1 << 20)) {
            assertEquals(Optional.empty(), SameDisk.note(List.of(data), List.of(other.root().resolve("backups")
                    .toUri().toString())));
            assertTrue(SameDisk.note(List.of(data), List.of(other.root().toString(), tmp.resolve("b").toString()))
                    .isEmpty(), "one target on another disk is enough");
        }
    }
}
