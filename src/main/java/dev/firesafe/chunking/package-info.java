/**
 * Content-defined chunking: FastCDC with boundaries keyed by a secret, so chunk sizes do not fingerprint
 * content. A pure algorithm: depends on the JDK and Tink's HKDF only.
 */
package dev.firesafe.chunking;
