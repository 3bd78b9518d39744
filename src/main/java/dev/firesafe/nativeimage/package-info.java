/**
 * Registrations and substitutions a native executable needs beyond what Quarkus finds.
 */
package dev.firesafe.nativeimage;
