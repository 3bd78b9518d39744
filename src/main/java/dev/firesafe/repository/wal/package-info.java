/**
 * PostgreSQL's write-ahead log on a store (issue #21): each WAL file archive_command or pg_receivewal hands over
 * (segments, {@code .history}, {@code .backup} and {@code .partial} files) sealed one object each, with the same key
 * modes as backups, under {@code PLAN/wal/TIMELINE/NAME}; what is archived per timeline, and where it has gaps.
 * Start at {@link dev.firesafe.repository.wal.WalArchive}.
 */
package dev.firesafe.repository.wal;
