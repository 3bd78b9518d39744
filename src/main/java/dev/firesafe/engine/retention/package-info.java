/**
 * Retention: which backups a plan keeps, and removing the rest without deleting an object a kept backup needs.
 */
package dev.firesafe.engine.retention;
