package dev.firesafe.core;

/** Process exit codes: part of the CLI contract (README, "Exit codes"). Never renumber. */
public enum ExitCode {
    OK(0),
    /** Unexpected internal error (a bug): the message says what failed. */
    FAILURE(1),
    /** Bad command line, bad plan or config, destination not empty without --force. */
    USAGE(2),
    /** Master key missing, malformed, or not the key the backup was made with. */
    KEY(3),
    /** Archive tampered, truncated, renamed, unsafe, or a file hash does not match its manifest. */
    INTEGRITY(4),
    /** Target unreachable, full, or refusing writes or reads; backup not found. */
    TARGET(5),
    /** A source path is missing or unreadable. */
    SOURCE(6),
    /**
     * The backup was stored, but files or folders its plan names could not be read and are missing from it (each
     * is named in the warnings, e.g. permission denied). Not a success: the next restore would lack them.
     */
    INCOMPLETE(7),
    /**
     * A restore or drill could not write into its destination (disk full, read-only, permission denied): a problem
     * of the machine restoring, not of the backup, which showed no fault up to where the writing stopped.
     */
    DESTINATION(8),
    /**
     * {@code wal-fetch} only: the archive could not be read (target unreachable, wrong key, damaged object). Above
     * 125 on purpose: PostgreSQL takes any lower non-zero exit of restore_command for "no such file", which at
     * the end of a recovery to the latest point means "end of the archive" and would promote the server early;
     * above 125 it stops recovery instead (docs/pitr.md, "Exit codes").
     */
    WAL_UNREADABLE(126);

    public final int code;

    ExitCode(int code) {
        this.code = code;
    }
}
