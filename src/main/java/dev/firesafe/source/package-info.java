/**
 * Reading sources: the walk (links never followed, targets inside sources skipped, include and exclude
 * patterns) and the read-ahead thread that reads and hashes files ahead of the writer, skipping files an
 * incremental backup knows unchanged.
 */
package dev.firesafe.source;
