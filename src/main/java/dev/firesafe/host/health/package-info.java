/**
 * Health checks at {@code /q/health}: liveness, readiness (keys, functions, targets reachable) and backup age
 * per function, from cached listings.
 */
package dev.firesafe.host.health;
