/**
 * Local and mounted folders as stores: partial files published by hard link, fsync'ed.
 */
package dev.firesafe.store.local;
