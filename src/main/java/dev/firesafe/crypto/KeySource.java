package dev.firesafe.crypto;

import dev.firesafe.core.FiresafeException;
import dev.firesafe.core.FiresafeConfig;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * Finds the master key: {@code FIRESAFE_MASTER_KEY}, else {@code FIRESAFE_MASTER_KEY_FILE}, else the default key
 * file that {@code init} writes. Errors name where the key was looked for, never what it holds.
 */
public class KeySource {

    private final FiresafeConfig config;

    public KeySource(FiresafeConfig config) {
        this.config = config;
    }

    /** Key text and where it was found, for messages that name the place and never the text. */
    private record Located(String text, String origin) {
    }

    /**
     * What new backups are encrypted with: the public key in write-only mode (then no private or master key is
     * even looked at), else the master key.
     */
    public EncryptionKey forBackup() {
        Optional<Located> pub = locate(config.publicKey(), "FIRESAFE_PUBLIC_KEY", config.publicKeyFile(),
                "FIRESAFE_PUBLIC_KEY_FILE", null);
        if (pub.isPresent()) {
            return new WriteOnlyKey(PublicKey.parse(pub.get().text, pub.get().origin), config.segmentSize());
        }
        return requireMaster();
    }

    /** The keys that read backups: master and/or recovery keys from FIRESAFE_MASTER_KEY (_FILE, default file). */
    public KeyRing forReading() {
        Located found = locateSecret().orElseThrow(() -> FiresafeException.key("no key to read backups: set "
                + "FIRESAFE_MASTER_KEY or FIRESAFE_MASTER_KEY_FILE (the master key, or for write-only backups the "
                + "recovery key), or run 'init' to create " + config.defaultKeyFile()));
        return KeyRing.parse(found.text, found.origin);
    }

    /**
     * The key that names content in backups made here: derived from the master key, or in write-only mode the
     * host's own secret from {@code firesafe.content-key-file} (made on first use, owner-only), since a
     * write-only host holds nothing else secret.
     */
    public ContentKey contentKey() {
        EncryptionKey key = forBackup();
        if (key instanceof MasterKey master) {
            return master.contentKey();
        }
        Path file = Path.of(config.contentKeyFile());
        String origin = "content key file " + file;
        if (Files.isRegularFile(file)) {
            try {
                return ContentKey.of(java.util.HexFormat.of().parseHex(read(file, origin).strip()));
            } catch (IllegalArgumentException e) {
                throw FiresafeException.key(origin + " is damaged: remove it to start a new one (the next backup "
                        + "then stores everything again)");
            }
        }
        ContentKey fresh = ContentKey.generate();
        writeKeyFile(file, java.util.HexFormat.of().formatHex(fresh.bytes()));
        return fresh;
    }

    /** The keys that read backups, if this process has any (a write-only host has none, by design). */
    public Optional<KeyRing> forReadingIfAny() {
        try {
            return Optional.of(forReading());
        } catch (FiresafeException e) {
            return Optional.empty();
        }
    }

    /** The master key alone, for symmetric backups and for rotating it. */
    public MasterKey requireMaster() {
        Optional<Located> found = locateSecret();
        if (found.isEmpty()) {
            throw FiresafeException.key("no master key: set FIRESAFE_MASTER_KEY or FIRESAFE_MASTER_KEY_FILE, or "
                    + "run 'init' to create " + config.defaultKeyFile() + " (or set FIRESAFE_PUBLIC_KEY for "
                    + "write-only backups)");
        }
        return masterFrom(found.get().text, found.get().origin);
    }

    /**
     * The file the master key is read from: {@code FIRESAFE_MASTER_KEY_FILE}, else the default key file if it
     * exists; empty when {@code FIRESAFE_MASTER_KEY} gives the key itself (which no file holds) or there is none.
     */
    public Optional<Path> masterKeyFile() {
        if (config.masterKey().filter(s -> !s.isBlank()).isPresent()) {
            return Optional.empty();
        }
        Optional<String> file = config.masterKeyFile().filter(s -> !s.isBlank());
        if (file.isPresent()) {
            return Optional.of(Path.of(file.get()));
        }
        Path fallback = Path.of(config.defaultKeyFile());
        return Files.isRegularFile(fallback) ? Optional.of(fallback) : Optional.empty();
    }

    /**
     * How a key file is named in messages: as {@link #requireMaster()} names the one it read, so an error about
     * a rotated file reads like one about the file in use.
     */
    public String describe(Path keyFile) {
        return config.masterKeyFile().filter(s -> !s.isBlank()).isPresent()
                ? "FIRESAFE_MASTER_KEY_FILE (" + keyFile + ")" : "key file " + keyFile;
    }

    /**
     * The master key held in {@code text} (read from {@code origin}), as {@link #requireMaster()} checks it: an
     * empty text and one holding only recovery keys are key errors that say which.
     */
    public static MasterKey masterFrom(String text, String origin) {
        requireNotEmpty(text, origin);
        return KeyRing.parse(text, origin).master().orElseThrow(() ->
                FiresafeException.key(origin + " holds only recovery keys; backups need the master "
                        + "key, or FIRESAFE_PUBLIC_KEY for write-only mode"));
    }

    private Optional<Located> locateSecret() {
        return locate(config.masterKey(), "FIRESAFE_MASTER_KEY", config.masterKeyFile(), "FIRESAFE_MASTER_KEY_FILE",
                Path.of(config.defaultKeyFile()));
    }

    private static Optional<Located> locate(Optional<String> inline, String inlineName, Optional<String> file,
                                            String fileName, Path fallback) {
        Optional<String> value = inline.filter(s -> !s.isBlank());
        if (value.isPresent()) {
            return Optional.of(new Located(value.get(), inlineName));
        }
        Optional<String> path = file.filter(s -> !s.isBlank());
        if (path.isPresent()) {
            String origin = fileName + " (" + path.get() + ")";
            return Optional.of(new Located(notEmpty(read(Path.of(path.get()), origin), origin, fallback), origin));
        }
        if (fallback != null && Files.isRegularFile(fallback)) {
            String origin = "key file " + fallback;
            return Optional.of(new Located(notEmpty(read(fallback, origin), origin, fallback), origin));
        }
        return Optional.empty();
    }

    /**
     * An empty key file is most likely one a shell emptied: {@code keygen --rotate > FILE} truncates FILE before
     * keygen reads the key from it. Say that, not that the file "holds only recovery keys" (issue #19).
     */
    private static String requireNotEmpty(String text, String origin) {
        if (text.isBlank()) {
            throw FiresafeException.key(origin + " is empty: it holds no key. If a command's output was "
                    + "redirected into it ('keygen --rotate > FILE' empties FILE before keygen reads it), put the "
                    + "key back from your escrowed copy; 'keygen --rotate --in-place' rotates a key file safely");
        }
        return text;
    }

    /** Secret key files (those with a default file) get {@link #requireNotEmpty}'s advice; the public one not. */
    private static String notEmpty(String text, String origin, Path fallback) {
        if (fallback != null) {
            return requireNotEmpty(text, origin);
        }
        if (text.isBlank()) {
            throw FiresafeException.key(origin + " is empty: it holds no key");
        }
        return text;
    }

    public Path defaultKeyFile() {
        return Path.of(config.defaultKeyFile());
    }

    private static String read(Path file, String origin) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw FiresafeException.key("cannot read " + origin + ": " + e.getClass().getSimpleName());
        }
    }

    /** Writes key text to a new file readable by its owner only; refuses to replace an existing key file. */
    public static void writeKeyFile(Path file, String text) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null && !Files.isDirectory(parent)) {
                Files.createDirectories(parent, PosixFilePermissions.asFileAttribute(
                        EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                                PosixFilePermission.OWNER_EXECUTE)));
            }
            Set<PosixFilePermission> ownerOnly = EnumSet.of(PosixFilePermission.OWNER_READ,
                    PosixFilePermission.OWNER_WRITE);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(ownerOnly));
            Files.setPosixFilePermissions(file, ownerOnly); // the umask may have narrowed, never widened
            Files.writeString(file, text + "\n", StandardCharsets.UTF_8);
        } catch (java.nio.file.FileAlreadyExistsException e) {
            throw FiresafeException.usage(file + " exists already; not replacing a key file (an old key may be "
                    + "the only one that opens old backups)");
        } catch (IOException e) {
            throw FiresafeException.usage("cannot write key file " + file + ": " + e.getMessage());
        }
    }
}
