/**
 * The one owner of the loaded function files: the host, its health checks, metrics and endpoints all ask it, so
 * each file is read once per process.
 */
package dev.firesafe.host.functions;
