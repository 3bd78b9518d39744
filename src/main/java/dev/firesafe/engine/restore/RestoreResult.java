package dev.firesafe.engine.restore;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.firesafe.archive.Manifest;

import java.util.List;

/**
 * What a verify or restore found: the backup, how much it held ({@code files}, {@code bytes}, all of it checked),
 * how long it took. {@code restoredFiles} were written ({@code files} for a full restore, those the {@code include}
 * patterns selected for a partial one, 0 for a verify). {@code warnings} are the backup's own, from when it was
 * made; {@code restoreWarnings} what this restore could not bring back as it was (a setuid bit it had to drop).
 * {@code manifest} is the backup's own, already checked against the archive; drills compare the restored tree with
 * it once more (it is not part of the {@code --json} output).
 */
public record RestoreResult(String id, String plan, String host, String created, long files, long bytes,
                            long durationMs, String destination, List<String> include, long restoredFiles,
                            List<String> warnings, List<String> restoreWarnings, @JsonIgnore Manifest manifest) {

    /**
     * The entries the plan named that could not be read when the backup was made (it ended with exit code 7), as
     * "path: problem": intact as it is, the backup lacks them (issue #19: verify said only "is intact").
     */
    @JsonProperty("missing")
    public List<String> missing() {
        return manifest == null ? List.of() : manifest.warnings.stream().filter(Manifest.Warning::missing)
                .map(w -> w.path() + ": " + w.problem()).toList();
    }

    /** Whether the backup lacks entries its plan named ({@link #missing}). */
    @JsonProperty("incomplete")
    public boolean incomplete() {
        return !missing().isEmpty();
    }
}
