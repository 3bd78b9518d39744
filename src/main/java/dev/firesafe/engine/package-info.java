/**
 * The pipelines: a backup run, a restore, a drill and retention, each built on the repository and store layers.
 * No trigger, command line or HTTP here.
 */
package dev.firesafe.engine;
