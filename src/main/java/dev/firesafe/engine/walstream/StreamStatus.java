package dev.firesafe.engine.walstream;

import java.time.Duration;
import java.time.Instant;

/**
 * What a WAL stream is doing, for health, metrics and alerts.
 *
 * @param state            {@code starting}, {@code streaming}, {@code restarting} (waiting out the backoff),
 *                         {@code cannot start} (the last attempt ran no child: see {@code startError}),
 *                         {@code paused: spool full}, {@code stopped}
 * @param restarts         how often the receiver ended and was started again since {@code serve} started
 * @param lastReceiverExit why the receiver last ended (its last output line or exit code), null if it never did
 * @param waitingSegments  completed files in the spool that some target does not hold yet
 * @param lastArchivedAt   when a segment (or partial) last reached the targets; null: not since start
 * @param lag              the age of the oldest WAL not on the targets (zero when everything is)
 * @param lastShipError    why the last push failed, null when the last push went well
 * @param startError       why the last attempt to start the receiver failed before any child ran (no client of the
 *                         server's major version, the server unreachable, the slot not creatable); null once a child
 *                         started
 * @param startFailures    attempts that ran no child since {@code serve} started (not counted in {@code restarts})
 */
public record StreamStatus(String function, String state, boolean receiverUp, int restarts, Instant lastRestart,
                           String lastReceiverExit, Duration nextRestartIn, int waitingSegments, long spoolBytes,
                           long spoolLimitBytes, boolean spoolFull, Instant lastArchivedAt, String lastArchivedName,
                           Duration lag, String lastShipError, String startError, int startFailures) {
}
