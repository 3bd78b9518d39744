/**
 * Prometheus metrics at {@code /q/metrics}: backups, drills, triggers and the age of the newest backup per
 * function and target.
 */
package dev.firesafe.host.metrics;
