package dev.firesafe.crypto;

/**
 * What the backup host encrypts new backups with: the symmetric {@link MasterKey}, or in write-only mode a
 * {@link WriteOnlyKey} that holds only a public key.
 */
public sealed interface EncryptionKey permits MasterKey, WriteOnlyKey {

    /** The header of a new backup and the streaming AEAD its body is encrypted with. */
    ArchiveCipher.Sealing seal(String backupId, String plan, String created, String compression);

    /** "master" or "write-only", for messages and listings. */
    String mode();
}
