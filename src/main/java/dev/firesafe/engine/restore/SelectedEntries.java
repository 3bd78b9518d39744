package dev.firesafe.engine.restore;

import dev.firesafe.core.FiresafeException;
import dev.firesafe.source.Globs;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.PatternSyntaxException;

/**
 * A partial restore ({@code restore --include PATTERN}): passes on the entries the patterns select and lets the
 * others stream by. The whole backup is still decrypted and every file's SHA-256 checked by the reader, selected or
 * not, so a partial restore is as verified as a full one.
 *
 * <p>An entry is selected when its name (as the archive shows it: "LABEL/path/in/source") matches a pattern, with
 * the rules of backup includes (a pattern without '/' matches a name at any depth), or when it lies in a folder that
 * matches. The folders above a selected entry are restored with their recorded modes and times, not made bare:
 * folder entries come before their contents, so each one is held back until something inside it is selected.
 */
final class SelectedEntries implements EntryHandler {

    private record Folder(int mode, FileTime mtime) {
    }

    private final EntryHandler restore;
    private final Globs patterns;
    private final List<String> patternTexts;
    private final Map<String, Folder> heldBack = new HashMap<>();
    private long files;
    /** The selected file being written, whose end is passed on too. */
    private String passedOn;
    private boolean anySelected;
    private String exampleName;

    SelectedEntries(EntryHandler restore, List<String> patterns) {
        this.restore = restore;
        this.patterns = compile(patterns);
        this.patternTexts = List.copyOf(patterns);
    }

    /** The patterns as globs; a malformed one ("data/[") is a usage error, so callers check before they write. */
    static Globs compile(List<String> patterns) {
        try {
            return new Globs(patterns);
        } catch (PatternSyntaxException e) {
            throw FiresafeException.usage("--include '" + ArchivePaths.printable(e.getPattern()) + "' is not a valid "
                    + "pattern: " + e.getDescription());
        }
    }

    /** Files passed on for restoring. */
    long files() {
        return files;
    }

    @Override
    public void exactBytes(String name, byte[] path, byte[] linkTarget) throws IOException {
        restore.exactBytes(name, path, linkTarget);
    }

    @Override
    public void recordedOwner(String name, long uid, long gid) {
        if (selected(name, false)) { // the setuid check must see every file it restores
            restore.recordedOwner(name, uid, gid);
        }
    }

    @Override
    public void directory(String name, int mode, FileTime mtime) throws IOException {
        if (selected(name, true)) {
            foldersAbove(name);
            restore.directory(name, mode, mtime);
        } else {
            heldBack.put(name, new Folder(mode, mtime));
        }
    }

    @Override
    public void symlink(String name, String linkTarget, FileTime mtime) throws IOException {
        if (selected(name, false)) {
            foldersAbove(name);
            restore.symlink(name, linkTarget, mtime);
        }
    }

    @Override
    public OutputStream file(String name, long size, int mode, FileTime mtime) throws IOException {
        if (!selected(name, false)) {
            return OutputStream.nullOutputStream();
        }
        foldersAbove(name);
        files++;
        passedOn = name;
        return restore.file(name, size, mode, mtime);
    }

    @Override
    public void fileDone(String name, int mode, FileTime mtime) throws IOException {
        if (name.equals(passedOn)) { // the reader ends a file before it starts the next one
            passedOn = null;
            restore.fileDone(name, mode, mtime);
        }
    }

    @Override
    public void finish() throws IOException {
        restore.finish();
        if (!anySelected) { // a mistyped pattern must not look like a restore that worked
            throw FiresafeException.usage("nothing in the backup matches --include " + String.join(" ", patternTexts)
                    + ": nothing was restored (every file was checked). Names start with the source's folder name"
                    + (exampleName == null ? "" : ", e.g. '" + ArchivePaths.printable(exampleName) + "'")
                    + "; 'verify ID --list' shows them all.");
        }
    }

    @Override
    public void abort() {
        restore.abort();
    }

    @Override
    public List<String> warnings() {
        return restore.warnings();
    }

    /** The name matches, or one of the folders it is in does. */
    private boolean selected(String name, boolean isDirectory) {
        boolean selected = patterns.matchesShownName(name, isDirectory);
        for (int slash = name.indexOf('/'); !selected && slash > 0; slash = name.indexOf('/', slash + 1)) {
            selected = patterns.matchesShownName(name.substring(0, slash), true);
        }
        anySelected |= selected;
        if (exampleName == null && !isDirectory) {
            exampleName = name;
        }
        return selected;
    }

    /** Restores the held-back folders above {@code name}, outermost first, as the archive recorded them. */
    private void foldersAbove(String name) throws IOException {
        for (int slash = name.indexOf('/'); slash > 0; slash = name.indexOf('/', slash + 1)) {
            String folder = name.substring(0, slash);
            Folder f = heldBack.remove(folder);
            if (f != null) {
                restore.directory(folder, f.mode, f.mtime);
            }
        }
    }
}
