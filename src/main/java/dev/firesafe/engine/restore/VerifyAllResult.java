package dev.firesafe.engine.restore;

import java.util.List;

/**
 * What {@code verify all} found on one target: each backup's verdict, oldest first, and every stored object that is
 * missing or damaged with the backups it breaks (the others do not depend on it, and restore).
 *
 * @param objectsRead the objects read, each once
 */
public record VerifyAllResult(String target, List<Backup> backups, List<ObjectProblem> objects, long objectsRead) {

    /** One backup: intact, or why not (exit code as a restore of it would end). */
    public record Backup(String id, String plan, boolean ok, int exitCode, String error, long files, long bytes) {
    }

    /** A missing or damaged object ({@code PLAN/ID.firesafe}, or a generation) and the backups it breaks. */
    public record ObjectProblem(String object, String problem, List<String> breaks) {
    }

    public boolean ok() {
        return backups.stream().allMatch(Backup::ok);
    }
}
