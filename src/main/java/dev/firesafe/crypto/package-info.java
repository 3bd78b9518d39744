/**
 * Keys and encryption: the master key, write-only public and recovery keys, the content key that names chunks,
 * the backup header, and the streaming AEAD (Tink) that seals and opens backups, as a stream or by range.
 */
package dev.firesafe.crypto;
