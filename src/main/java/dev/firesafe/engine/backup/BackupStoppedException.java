package dev.firesafe.engine.backup;

import dev.firesafe.core.ExitCode;
import dev.firesafe.core.FiresafeException;

/**
 * A backup ended because the process was asked to stop. Its stop hook has already said so, with the backup's id
 * and the partial uploads it removed, so a command line prints nothing more for it.
 */
public final class BackupStoppedException extends FiresafeException {

    public BackupStoppedException(String plan) {
        super(ExitCode.FAILURE, "the backup of plan '" + plan + "' was stopped (the process was asked to stop: "
                + "SIGTERM or Ctrl-C): no backup was made");
    }
}
