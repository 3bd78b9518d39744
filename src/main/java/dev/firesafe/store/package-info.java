/**
 * Where bytes live: the {@link dev.firesafe.store.Store} contract (uploads invisible until committed, never
 * replacing; complete listings; ranged reads; Closeable), addresses parsed without I/O, the registry from
 * scheme to backend, and the decorators every store gets (retries of reads, logging).
 */
package dev.firesafe.store;
