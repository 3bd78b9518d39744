/**
 * Triggers and their coordination: timers, startup (with catch-up), messages and the runner that coalesces
 * bursts and keeps one run per function at a time.
 */
package dev.firesafe.host.trigger;
