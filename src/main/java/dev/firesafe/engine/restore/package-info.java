/**
 * Verify and restore: a format-1 archive streamed through the tar reader, a chunked backup read by range
 * ({@code ChunkedReader}); both hand entries to the same handlers (extract, discard, select) and check every
 * name and SHA-256.
 */
package dev.firesafe.engine.restore;
