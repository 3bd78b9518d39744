package dev.firesafe.engine.drill;

import dev.firesafe.core.ExitCode;
import dev.firesafe.postgres.PostgresRestore;

import java.util.List;

/**
 * What one drill found: per target, whether its latest backup came back whole. {@code exitCode} is 0 only when
 * every target passed; otherwise the code of the first failure (3 key, 4 integrity, 5 target...).
 */
public record DrillResult(String plan, boolean ok, int exitCode, String started, long durationMs,
                          List<TargetDrill> targets) {

    public DrillResult {
        targets = List.copyOf(targets);
    }

    static DrillResult of(String plan, String started, long durationMs, List<TargetDrill> targets) {
        int code = targets.stream().filter(t -> !t.ok()).mapToInt(TargetDrill::exitCode).findFirst()
                .orElse(ExitCode.OK.code);
        return new DrillResult(plan, code == ExitCode.OK.code, code, started, durationMs, targets);
    }

    /**
     * The drill of one target. {@code restoreMs} is the measured time to restore (the real RTO) from the first
     * read of the target to the last file checked; {@code differences} names every file whose restored copy
     * differs from the manifest; {@code error} says why the drill of this target failed (null when it passed).
     */
    public record TargetDrill(String target, boolean ok, int exitCode, String backupId, String backupCreated,
                              long files, long bytes, long restoreMs, List<String> differences,
                              List<PostgresRestore.Replayed> replayed, String error) {

        public TargetDrill {
            differences = List.copyOf(differences);
            replayed = List.copyOf(replayed);
        }

        static TargetDrill failed(String target, ExitCode code, String error, long restoreMs) {
            return new TargetDrill(target, false, code.code, null, null, 0, 0, restoreMs, List.of(), List.of(),
                    error);
        }
    }
}
