package dev.firesafe.crypto;

import dev.firesafe.core.FiresafeException;
import dev.firesafe.io.DurableFiles;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;

/**
 * Replaces a key file with a rotated key set (issue #19: {@code keygen --rotate > master.key} emptied the file
 * before keygen read it, and the environment variable route left the file that {@code serve} and timers read
 * stale). The order makes every moment safe: the old file is first copied beside it, complete and synced; the
 * new text goes to a temporary file in the same folder, synced; then one rename puts it in place, so a reader
 * (or a crash) sees either the whole old file or the whole new one, never a partial or empty one.
 */
public final class KeyFileReplacement {

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);
    private static final Set<PosixFilePermission> OWNER_ONLY = EnumSet.of(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE);

    private KeyFileReplacement() {
    }

    /**
     * Puts {@code newText} into {@code file}, which must still hold exactly {@code oldBytes} (what the new key was
     * made from), keeping those bytes as {@code FILE.previous-TIME} beside it. The new file gets the old one's
     * permissions, owner and group, so the service that reads it still can. A symbolic link is followed: the file
     * it points to is replaced, the link stays. Returns the previous file.
     */
    public static Path replace(Path file, byte[] oldBytes, String newText, Instant now) {
        Path real;
        PosixFileAttributes attributes;
        try {
            real = file.toRealPath();
            attributes = Files.readAttributes(real, PosixFileAttributes.class);
        } catch (IOException e) {
            throw FiresafeException.usage("cannot read key file " + file + ": " + e.getMessage());
        }
        Path dir = real.getParent();
        Path previous = keepPrevious(real, oldBytes, now);
        Path temp = null;
        try {
            temp = Files.createTempFile(dir, "." + real.getFileName() + ".", ".new",
                    PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            write(temp, (newText + "\n").getBytes(StandardCharsets.UTF_8));
            PosixFileAttributeView view = Files.getFileAttributeView(temp, PosixFileAttributeView.class);
            if (!view.readAttributes().owner().equals(attributes.owner())) {
                view.setOwner(attributes.owner());
            }
            if (!view.readAttributes().group().equals(attributes.group())) {
                view.setGroup(attributes.group());
            }
            view.setPermissions(attributes.permissions());
            if (!Arrays.equals(Files.readAllBytes(real), oldBytes)) {
                throw FiresafeException.usage("key file " + file + " changed while it was being rotated (another "
                        + "keygen?); left as it is now. Run keygen --rotate --in-place again");
            }
            Files.move(temp, real, StandardCopyOption.ATOMIC_MOVE);
            temp = null;
            DurableFiles.syncFolder(dir); // the rename survives a power cut only once the folder is synced
            return previous;
        } catch (AtomicMoveNotSupportedException e) {
            throw FiresafeException.usage("cannot replace key file " + file + " in one step: " + e.getMessage()
                    + "; it is unchanged");
        } catch (IOException e) {
            throw FiresafeException.usage("cannot replace key file " + file + ": " + e.getMessage()
                    + "; it is unchanged (a read-only mount, such as a Docker or Kubernetes secret, is changed "
                    + "where the secret is kept)");
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // a 0600 file of the new key in the key's own folder; reported above already
                }
            }
        }
    }

    /** {@code FILE.previous-TIME} (a second one in the same second gets {@code -2}...), owner-only, synced. */
    private static Path keepPrevious(Path real, byte[] oldBytes, Instant now) {
        String base = real.getFileName() + ".previous-" + STAMP.format(now);
        for (int n = 1; ; n++) {
            Path previous = real.resolveSibling(n == 1 ? base : base + "-" + n);
            try {
                Files.createFile(previous, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            } catch (FileAlreadyExistsException e) {
                continue;
            } catch (IOException e) {
                throw FiresafeException.usage("cannot keep the previous key file beside " + real + " as "
                        + previous.getFileName() + ": " + e.getMessage() + "; nothing changed");
            }
            try {
                write(previous, oldBytes);
                return previous;
            } catch (IOException e) {
                throw FiresafeException.usage("cannot write " + previous + ": " + e.getMessage()
                        + "; the key file is unchanged");
            }
        }
    }

    private static void write(Path file, byte[] bytes) throws IOException {
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING,
                LinkOption.NOFOLLOW_LINKS)) {
            DurableFiles.writeForced(out, bytes);
        }
    }
}
