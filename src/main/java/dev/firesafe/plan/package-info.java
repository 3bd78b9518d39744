/**
 * Plans and functions as the user writes them: function files, sources, targets, retention, hooks and triggers,
 * parsed and checked (target addresses through the store registry, without I/O).
 */
package dev.firesafe.plan;
