package dev.firesafe.engine.restore;

import dev.firesafe.core.FiresafeException;
import dev.firesafe.core.IoMessages;
import dev.firesafe.io.DurableFiles;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * A half-restored folder looks just like a restored one when someone opens it later, so a restore says it is not
 * finished in the folder itself: a note is written (and synced) before the first entry and removed only once every
 * file is written and checked. A restore that is killed (kill -9, power loss, out of memory) leaves the note as it
 * was; one that fails says so twice, in its error and in the note, which then names the failure.
 * What was written is kept, not deleted: after a fire, the authentic part of a damaged backup may be all there is.
 */
final class IncompleteRestore {

    static final String NOTE = "FIRESAFE-RESTORE-INCOMPLETE.txt";

    private final Path dest;
    private final Path note;
    /** A note was there already (--force): an earlier restore into this folder did not finish. */
    private final boolean earlier;
    /** The backup has an entry of the note's name: the note made way for it and is not touched again. */
    private boolean madeWay;

    private IncompleteRestore(Path dest) {
        this.dest = dest;
        this.note = dest.resolve(NOTE);
        this.earlier = Files.exists(note, LinkOption.NOFOLLOW_LINKS);
    }

    /** Writes the note that stays if this process dies before {@link #finished}. */
    static IncompleteRestore begin(Path dest) {
        IncompleteRestore restore = new IncompleteRestore(dest);
        try {
            restore.write("This restore has NOT finished: it is still running, or it was stopped before its end "
                    + "(killed, power loss, out of memory).\n\nFiresafe removes this note once every file is written "
                    + "and checked against the backup's manifest. Until then the files here may be cut short or "
                    + "missing. Run the restore again into an empty folder.\n");
        } catch (IOException e) {
            throw RestoreService.cannotUse(dest, e);
        }
        return restore;
    }

    /**
     * An entry is about to be written directly in the destination, at {@code path}: if it has the note's name (or
     * the name the note is written under), the backup's own file or folder takes the place, and this restore leaves
     * no note.
     */
    void beforeEntry(Path path) throws IOException {
        String name = path.getFileName().toString();
        if (!madeWay && (name.equals(NOTE) || name.equals(NOTE + ".next"))) {
            Files.deleteIfExists(note);
            madeWay = true;
        }
    }

    /**
     * Every file asked for is written and checked: the note goes, unless an earlier restore into this folder did not
     * finish and this one, a partial restore ({@code whole} false), rewrote only some files: the rest of what is
     * here may still be cut short, so the note stays and says so.
     */
    void finished(boolean whole) {
        if (madeWay) {
            return;
        }
        if (earlier && !whole) {
            try {
                write("An earlier restore into this folder did NOT finish. A partial restore (--include) since then "
                        + "wrote and checked only the files it selected; other files here may still be cut short or "
                        + "missing. Restore the whole backup (--force, or into an empty folder) to remove this note.\n");
            } catch (IOException e) {
                // the earlier note is still there and still true
            }
            return;
        }
        try {
            Files.deleteIfExists(note);
        } catch (IOException e) {
            throw FiresafeException.destination("the restore into " + dest + " is complete and checked, but its "
                    + "note " + note + " could not be removed (" + IoMessages.describe(e) + "): remove it by hand", e);
        }
    }

    /**
     * {@code failure}, with the note rewritten to name it and the message pointing at it; when nothing was written,
     * {@code failure} as is, and the note is removed unless an earlier restore left one (what it wrote is still
     * there, unfinished).
     */
    FiresafeException failed(long entriesWritten, FiresafeException failure) {
        if (madeWay) {
            return new FiresafeException(failure.exitCode(), failure.getMessage() + "; the restore into " + dest
                    + " is INCOMPLETE: " + entriesWritten + " entries were written before the failure (no note "
                    + "says so there: the backup has a " + NOTE + " of its own)", failure);
        }
        if (entriesWritten == 0) {
            try {
                if (!earlier) {
                    Files.deleteIfExists(note);
                }
            } catch (IOException e) {
                // an empty folder with a stale note says "not finished", which is true
            }
            return failure;
        }
        String text = "This restore did NOT complete.\n\n"
                + "Failure: " + failure.getMessage() + "\n\n"
                + entriesWritten + " entries were written before the failure. Every byte written came out of "
                + "authenticated ciphertext, but the file being written when the failure came is cut short, the "
                + "files after it are missing, and no file was checked against the manifest (it is the last thing "
                + "in a backup). Restore an earlier backup, or this one from another target, into an empty folder.\n";
        String where;
        try {
            write(text);
            where = "see " + note;
        } catch (IOException e) { // e.g. the disk is full: the note written at the start still says it
            where = "the note " + note + " says it, but the failure could not be added to it: "
                    + IoMessages.describe(e);
        }
        return new FiresafeException(failure.exitCode(), failure.getMessage() + "; the restore into " + dest
                + " is INCOMPLETE: " + entriesWritten + " entries were written before the failure (" + where + ")",
                failure);
    }

    /**
     * Replaces the note as a whole, through a new file renamed over it: a full disk leaves the previous note intact
     * (not emptied), and a symbolic link of that name (under --force) is replaced, never written through.
     */
    private void write(String text) throws IOException {
        Path next = next();
        Files.deleteIfExists(next);
        try {
            try (FileChannel out = FileChannel.open(next, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                // it must outlive a power loss that the restored files may not
                DurableFiles.writeForced(out, text.getBytes(StandardCharsets.UTF_8));
            }
            Files.move(next, note, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            Files.deleteIfExists(next);
            throw e;
        }
    }

    private Path next() {
        return dest.resolve(NOTE + ".next");
    }
}
