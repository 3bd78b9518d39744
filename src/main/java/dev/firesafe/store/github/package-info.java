/**
 * GitHub repositories as stores, through the Contents API: parts, an index file written last, rate limits and
 * retries as GitHub documents them.
 */
package dev.firesafe.store.github;
