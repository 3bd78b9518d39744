/**
 * The chunked object (format 2): its blocks, tree and index pages, footer and trailer; writing it front to back
 * in one pass and reading it from the end by range.
 */
package dev.firesafe.repository.format;
