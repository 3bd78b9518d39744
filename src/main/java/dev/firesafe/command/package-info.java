/**
 * External programs as sources and hooks: {@code /bin/sh -c} lines and dump clients, their stdout streamed,
 * killed with what they started when the process stops. Depends on core only.
 */
package dev.firesafe.command;
