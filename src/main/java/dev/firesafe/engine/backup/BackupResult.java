package dev.firesafe.engine.backup;

import dev.firesafe.core.ExitCode;
import dev.firesafe.archive.Manifest;

import java.util.List;

/** What one backup run did, per target. {@code bytesOut} is the size of the encrypted file. */
public record BackupResult(String id, String plan, long bytesIn, long bytesOut, long files, long durationMs,
                           String compression, List<TargetResult> targets, List<Manifest.Warning> warnings,
                           long bytesNew, long bytesDeduplicated, boolean full, long filesUnchanged) {

    /**
     * @param bytesNew          content bytes stored for the first time (before compression)
     * @param bytesDeduplicated content bytes that were already stored (unchanged files, known chunks)
     * @param full              whether the backup depends on no earlier one
     * @param filesUnchanged    files not read again: the previous backup's entry matched (size, times, inode)
     */
    public BackupResult(String id, String plan, long bytesIn, long bytesOut, long files, long durationMs,
                        String compression, List<TargetResult> targets, List<Manifest.Warning> warnings) {
        this(id, plan, bytesIn, bytesOut, files, durationMs, compression, targets, warnings, bytesIn, 0, true, 0);
    }

    /** A result without the count of unchanged files (results made elsewhere than a run: tests, notifications). */
    public BackupResult(String id, String plan, long bytesIn, long bytesOut, long files, long durationMs,
                        String compression, List<TargetResult> targets, List<Manifest.Warning> warnings,
                        long bytesNew, long bytesDeduplicated, boolean full) {
        this(id, plan, bytesIn, bytesOut, files, durationMs, compression, targets, warnings, bytesNew,
                bytesDeduplicated, full, 0);
    }

    /** The same result with other warnings (an after hook's failure is added once the backup is committed). */
    public BackupResult withWarnings(List<Manifest.Warning> more) {
        return new BackupResult(id, plan, bytesIn, bytesOut, files, durationMs, compression, targets, more, bytesNew,
                bytesDeduplicated, full, filesUnchanged);
    }

    /**
     * The outcome on one target; {@code error} is null on success. {@code pruned}: backups retention removed
     * afterwards; {@code pruneError}: why retention did not run to the end (the backup itself still counts).
     */
    public record TargetResult(String target, String object, boolean ok, String error, List<String> pruned,
                               String pruneError) {
    }

    /** True when every target has the new backup (whether it is complete: {@link #exitCode()}). */
    public boolean ok() {
        return targets.stream().allMatch(TargetResult::ok);
    }

    /** Entries the plan names that could not be read and are not in the backup. */
    public List<Manifest.Warning> missing() {
        return warnings.stream().filter(Manifest.Warning::missing).toList();
    }

    /** OK only when every target has the backup and nothing the plan names is missing from it. */
    public ExitCode exitCode() {
        return !ok() ? ExitCode.TARGET : missing().isEmpty() ? ExitCode.OK : ExitCode.INCOMPLETE;
    }

    /** Why the run is not a full success, for logs, events and notifications; null when it is one. */
    public String problem() {
        if (!ok()) {
            return "failed on " + targets.stream().filter(t -> !t.ok()).map(TargetResult::target).toList();
        }
        List<Manifest.Warning> missing = missing();
        if (missing.isEmpty()) {
            return null;
        }
        int shown = Math.min(missing.size(), 5);
        return "backup " + id + " was stored, but " + missing.size() + " entr" + (missing.size() == 1 ? "y" : "ies")
                + " could not be read and " + (missing.size() == 1 ? "is" : "are") + " missing from it: "
                + String.join(", ", missing.subList(0, shown).stream().map(Manifest.Warning::path).toList())
                + (missing.size() > shown ? " and " + (missing.size() - shown) + " more" : "");
    }
}
