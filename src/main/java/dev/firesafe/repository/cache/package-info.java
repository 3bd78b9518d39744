/**
 * This host's local cache of what each plan's backups hold on each store (the newest files, where every chunk
 * is), so a backup need not read the store; also the per-run record of the chunks a backup stores. Never
 * trusted further than the store's listing.
 */
package dev.firesafe.repository.cache;
