package dev.firesafe.crypto;

import dev.firesafe.FiresafeException;
import dev.firesafe.plan.FiresafeConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

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
@ApplicationScoped
public class KeySource {

    private final FiresafeConfig config;

    @Inject
    public KeySource(FiresafeConfig config) {
        this.config = config;
    }

    public MasterKey require() {
        return find().orElseThrow(() -> FiresafeException.key("no master key: set FIRESAFE_MASTER_KEY or "
                + "FIRESAFE_MASTER_KEY_FILE, or run 'init' to create " + config.defaultKeyFile()));
    }

    public Optional<MasterKey> find() {
        Optional<String> inline = config.masterKey().filter(s -> !s.isBlank());
        if (inline.isPresent()) {
            return Optional.of(MasterKey.parse(inline.get(), "FIRESAFE_MASTER_KEY"));
        }
        Optional<String> file = config.masterKeyFile().filter(s -> !s.isBlank());
        if (file.isPresent()) {
            return Optional.of(MasterKey.parse(read(Path.of(file.get()), "FIRESAFE_MASTER_KEY_FILE ("
                    + file.get() + ")"), "FIRESAFE_MASTER_KEY_FILE (" + file.get() + ")"));
        }
        Path fallback = Path.of(config.defaultKeyFile());
        if (Files.isRegularFile(fallback)) {
            return Optional.of(MasterKey.parse(read(fallback, "key file " + fallback), "key file " + fallback));
        }
        return Optional.empty();
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
