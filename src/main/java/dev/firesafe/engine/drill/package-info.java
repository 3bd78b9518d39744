/**
 * Restore drills: restore the newest backup into a scratch folder, read it back against the backup, optionally
 * replay its databases, and report the time it took.
 */
package dev.firesafe.engine.drill;
