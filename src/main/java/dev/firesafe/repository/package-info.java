/**
 * What a backup is on a store: ids and names, the catalog of a plan's backups (and of removed ones whose
 * objects stay), and opening a chunked object for reading by range.
 */
package dev.firesafe.repository;
