package dev.firesafe.backup;

import dev.firesafe.archive.Manifest;

import java.util.List;

/** What one backup run did, per target. {@code bytesOut} is the size of the encrypted file. */
public record BackupResult(String id, String plan, long bytesIn, long bytesOut, long files, long durationMs,
                           String compression, List<TargetResult> targets, List<Manifest.Warning> warnings) {

    /**
     * The outcome on one target; {@code error} is null on success. {@code pruned}: backups retention removed
     * afterwards; {@code pruneError}: why retention did not run to the end (the backup itself still counts).
     */
    public record TargetResult(String target, String object, boolean ok, String error, List<String> pruned,
                               String pruneError) {
    }

    public boolean ok() {
        return targets.stream().allMatch(TargetResult::ok);
    }
}
