/**
 * One backup run: hooks around it ({@code BackupService}), then {@code BackupRun}'s steps: open an upload per
 * store, the chunked pipeline ({@code ChunkedBackup}: walk, chunk, deduplicate, compress, encrypt), commit per
 * store, retention, result. Observers hear every end.
 */
package dev.firesafe.engine.backup;
