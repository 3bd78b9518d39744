/**
 * PostgreSQL WAL archiving (issue #21): pushing a WAL file to every target of a plan (archive_command), fetching
 * one back with the next segments prefetched into a spool (restore_command), and the checks of an archive's
 * continuity that restore and verify share.
 */
package dev.firesafe.engine.wal;
