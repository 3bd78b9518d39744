/**
 * Continuous WAL streaming inside {@code serve}: PostgreSQL's {@code pg_receivewal} as a supervised child process
 * (restarted with backoff, paused while the local spool is full) and the shipper that pushes every completed
 * segment, and the one being written on a short timer, to the WAL archive.
 */
package dev.firesafe.engine.walstream;
