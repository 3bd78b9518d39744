package dev.firesafe.core;

/**
 * Base of every failure Firesafe reports to a person. Each kind maps to one process exit code, so scripts can
 * tell a wrong key from a broken archive from an unreachable target without parsing messages.
 *
 * <p>Messages are written for the operator and must never contain secret material (keys, tokens, passwords).
 */
public class FiresafeException extends RuntimeException {

    private final ExitCode exitCode;

    public FiresafeException(ExitCode exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public FiresafeException(ExitCode exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public ExitCode exitCode() {
        return exitCode;
    }

    public static FiresafeException usage(String message) {
        return new FiresafeException(ExitCode.USAGE, message);
    }

    public static FiresafeException key(String message) {
        return new FiresafeException(ExitCode.KEY, message);
    }

    public static FiresafeException integrity(String message) {
        return new FiresafeException(ExitCode.INTEGRITY, message);
    }

    public static FiresafeException integrity(String message, Throwable cause) {
        return new FiresafeException(ExitCode.INTEGRITY, message, cause);
    }

    public static FiresafeException target(String message, Throwable cause) {
        return new FiresafeException(ExitCode.TARGET, message, cause);
    }

    public static FiresafeException destination(String message, Throwable cause) {
        return new FiresafeException(ExitCode.DESTINATION, message, cause);
    }

    public static FiresafeException source(String message) {
        return new FiresafeException(ExitCode.SOURCE, message);
    }
}
