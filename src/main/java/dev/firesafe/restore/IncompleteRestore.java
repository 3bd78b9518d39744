package dev.firesafe.restore;

import dev.firesafe.FiresafeException;
import dev.firesafe.target.IoMessages;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A restore that failed after it had written something says so twice: in its error, and in a note left in the
 * destination, because a half-restored folder looks just like a restored one when someone opens it later.
 * What was written is kept, not deleted: after a fire, the authentic part of a damaged backup may be all there is.
 */
final class IncompleteRestore {

    static final String NOTE = "FIRESAFE-RESTORE-INCOMPLETE.txt";

    private IncompleteRestore() {
    }

    /** {@code failure} as is when nothing was written, else with the note written and named in the message. */
    static FiresafeException report(Path dest, long entriesWritten, FiresafeException failure) {
        if (entriesWritten == 0) {
            return failure;
        }
        Path note = dest.resolve(NOTE);
        String text = "This restore did NOT complete.\n\n"
                + "Failure: " + failure.getMessage() + "\n\n"
                + entriesWritten + " entries were written before the failure. Every byte written came out of "
                + "authenticated ciphertext, but the file being written when the failure came is cut short, the "
                + "files after it are missing, and no file was checked against the manifest (it is the last thing "
                + "in a backup). Restore an earlier backup, or this one from another target, into an empty folder.\n";
        String where;
        try {
            Files.writeString(note, text, StandardCharsets.UTF_8);
            where = "see " + note;
        } catch (IOException e) { // e.g. the disk is full: an empty file of that name still says it
            where = "the note " + NOTE + (Files.exists(note) ? " is there, but its text could not be written: "
                    : " could not be written: ") + IoMessages.describe(e);
        }
        return new FiresafeException(failure.exitCode(), failure.getMessage() + "; the restore into " + dest
                + " is INCOMPLETE: " + entriesWritten + " entries were written before the failure (" + where + ")",
                failure);
    }
}
