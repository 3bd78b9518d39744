/**
 * PostgreSQL sources and restores: dump clients matched to the server's version, dumps as streamed sources,
 * replay into a server.
 */
package dev.firesafe.postgres;
