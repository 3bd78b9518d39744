/**
 * What every layer shares and nothing depends on: exit codes, the exception that carries one, failure
 * classification, the global settings, version, progress, durations.
 */
package dev.firesafe.core;
