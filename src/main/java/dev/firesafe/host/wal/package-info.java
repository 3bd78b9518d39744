/**
 * Continuous WAL archiving under {@code serve}: starts and stops each function's WAL stream, watches the servers
 * (replication slots, {@code pg_stat_archiver}), and exposes archive lag in health, metrics and lag alerts.
 */
package dev.firesafe.host.wal;
