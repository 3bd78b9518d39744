package dev.firesafe.crypto;

import dev.firesafe.core.TamperedException;
import com.google.crypto.tink.StreamingAead;
import dev.firesafe.core.FiresafeException;
import dev.firesafe.io.ErrorMappingInputStream;
import dev.firesafe.io.ForwardingChannel;
import dev.firesafe.core.StoreIOException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.GeneralSecurityException;

/** Wraps streams in the backup file format: {@link BackupHeader} then streaming AEAD ciphertext. */
public final class ArchiveCipher {

    private ArchiveCipher() {
    }

    /** A new backup's header and the AEAD that encrypts its body. */
    public record Sealing(BackupHeader header, StreamingAead aead) {
        /** The same key and data key for a backup of another format (the header says which). */
        public Sealing withFormat(int format) {
            return new Sealing(header.withFormat(format), aead);
        }
    }

    /** Writes the header to {@code out} and returns the stream that encrypts everything written to it. */
    public static OutputStream encrypt(OutputStream out, Sealing sealing) throws IOException {
        byte[] headerBytes = sealing.header().toBytes();
        out.write(headerBytes);
        try {
            return sealing.aead().newEncryptingStream(out, headerBytes);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot start encryption", e);
        }
    }

    /** Master-key form of {@link #encrypt(OutputStream, Sealing)} for a header made by {@link #headerFor}. */
    public static OutputStream encrypt(OutputStream out, BackupHeader header, MasterKey key) throws IOException {
        return encrypt(out, new Sealing(header, key.aeadFor(Integer.parseUnsignedInt(header.keyId(), 16))));
    }

    /** The header for a new backup encrypted under {@code key}'s primary key. */
    public static BackupHeader headerFor(String backupId, String plan, String created, String compression,
                                         MasterKey key) {
        return key.seal(backupId, plan, created, compression).header();
    }

    /** An opened backup: its header and the plaintext stream. */
    public record Decrypted(BackupHeader header, InputStream plaintext) {
    }

    public static Decrypted decrypt(InputStream in, MasterKey key, String expectedBackupId, String what)
            throws IOException {
        return decrypt(in, KeyRing.of(key), expectedBackupId, what);
    }

    /**
     * Reads the header from {@code in} and returns the decrypting stream. The key is checked first (wrong or
     * missing key), then that the header names the backup we asked for (a renamed or swapped file).
     * Authentication failures while reading come out of the returned stream as {@link TamperedException}.
     */
    public static Decrypted decrypt(InputStream in, KeyRing keys, String expectedBackupId, String what)
            throws IOException {
        BackupHeader.Parsed parsed = BackupHeader.read(in, what);
        BackupHeader header = parsed.header();
        StreamingAead aead = DamagedKeyId.aeadFor(keys, parsed, what, () -> in);
        if (expectedBackupId != null && !expectedBackupId.equals(header.backupId())) {
            throw FiresafeException.integrity(what + " holds backup " + header.backupId() + ", not "
                    + expectedBackupId + ": the file was renamed or swapped");
        }
        try {
            InputStream plain = aead.newDecryptingStream(in, parsed.rawBytes());
            return new Decrypted(header, new AuthenticatedInput(plain, what));
        } catch (GeneralSecurityException e) {
            throw new TamperedException(what + " failed authentication: damaged or tampered with", e);
        }
    }

    /** An opened backup read by position: its header and a seekable view of its plaintext. */
    public record Opened(BackupHeader header, SeekableByteChannel plaintext) {
    }

    /**
     * Reads the header at the start of {@code object} and returns a seekable plaintext view that decrypts only
     * the segments asked for (chunked backups are read by range). Checks as {@link #decrypt} does.
     */
    public static Opened open(SeekableByteChannel object, KeyRing keys, String expectedBackupId, String what)
            throws IOException {
        object.position(0);
        BackupHeader.Parsed parsed = BackupHeader.read(Channels.newInputStream(object), what);
        BackupHeader header = parsed.header();
        StreamingAead aead = DamagedKeyId.aeadFor(keys, parsed, what, () -> {
            object.position(parsed.rawBytes().length);
            return Channels.newInputStream(object);
        });
        if (expectedBackupId != null && !expectedBackupId.equals(header.backupId())) {
            throw FiresafeException.integrity(what + " holds backup " + header.backupId() + ", not "
                    + expectedBackupId + ": the file was renamed or swapped");
        }
        try {
            SeekableByteChannel plain = aead.newSeekableDecryptingChannel(
                    new ShiftedChannel(object, parsed.rawBytes().length), parsed.rawBytes());
            return new Opened(header, new AuthenticatedChannel(plain, what));
        } catch (GeneralSecurityException e) {
            throw new TamperedException(what + " failed authentication: damaged or tampered with", e);
        } catch (IOException e) {
            if (e instanceof StoreIOException) {
                throw e;
            }
            // Tink reads the stream header and the size here: too short is truncation, not a read failure
            throw new TamperedException(what + " failed authentication (damaged, truncated or tampered with)", e);
        }
    }

    /** The channel from {@code offset} on, as if it started there: the ciphertext after the header. */
    private static final class ShiftedChannel extends ForwardingChannel {
        private final long offset;

        ShiftedChannel(SeekableByteChannel in, long offset) {
            super(in);
            this.offset = offset;
        }

        @Override
        public long position() throws IOException {
            return in.position() - offset;
        }

        @Override
        public SeekableByteChannel position(long p) throws IOException {
            in.position(p + offset);
            return this;
        }

        @Override
        public long size() throws IOException {
            return in.size() - offset;
        }
    }

    /** Authentication failures of a seekable view (Tink throws plain IOExceptions) as {@link TamperedException}. */
    private static final class AuthenticatedChannel extends ForwardingChannel {
        private final String what;

        AuthenticatedChannel(SeekableByteChannel in, String what) {
            super(in);
            this.what = what;
        }

        private IOException map(IOException e) {
            if (e instanceof StoreIOException || e instanceof TamperedException
                    || e instanceof java.nio.channels.ClosedChannelException) {
                return e; // a closed view is this program's mistake, never the backup's damage
            }
            return new TamperedException(what + " failed authentication (damaged, truncated or tampered with)", e);
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            try {
                return in.read(dst);
            } catch (IOException e) {
                throw map(e);
            }
        }

        @Override
        public long size() throws IOException {
            try {
                return in.size();
            } catch (IOException e) {
                throw map(e);
            }
        }
    }

    /** Tells authentication failures (Tink throws plain IOExceptions) apart from the target's read errors. */
    private static final class AuthenticatedInput extends ErrorMappingInputStream {
        private final String what;

        AuthenticatedInput(InputStream in, String what) {
            super(in);
            this.what = what;
        }

        @Override
        protected IOException map(IOException e) {
            if (e instanceof StoreIOException) {
                return e;
            }
            return new TamperedException(what + " failed authentication (damaged, truncated or tampered with)", e);
        }
    }
}
