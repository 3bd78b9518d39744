/**
 * Stream plumbing between pipeline stages: bounded pipes, error mapping, buffer sizes, the host name. Depends
 * on core only.
 */
package dev.firesafe.io;
