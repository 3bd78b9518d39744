/**
 * The tar archive of format-1 backups and what every format shares about an entry: its metadata ({@code
 * FileMeta}), its name as UTF-8 whatever the locale ({@code FileNames}), the manifest, and the {@code
 * EntryWriter} the source walk feeds. Depends on core only.
 */
package dev.firesafe.archive;
