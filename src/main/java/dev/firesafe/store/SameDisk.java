package dev.firesafe.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Whether a backup would burn with its data: every target a local folder on the same disk as a source. That is the
 * very setup Firesafe exists to end, and it is also what an unmounted backup disk looks like (the target folder is
 * then made on the system disk, below the empty mount point), so the operator is told, every time. It is a note, not
 * an error: a local copy is still a copy, and the zero-configuration default is one.
 */
public final class SameDisk {

    private SameDisk() {
    }

    /** The note to show, or empty when some target is elsewhere (another disk, S3, GitHub) or nothing can tell. */
    public static Optional<String> note(List<Path> sources, List<String> targetUris) {
        String source = null;
        String target = null;
        for (String uri : targetUris) {
            Optional<Path> folder = StoreUri.localFolder(uri);
            Object targetDevice = folder.map(SameDisk::deviceOfNearestFolder).orElse(null);
            if (targetDevice == null) {
                return Optional.empty();
            }
            Optional<Path> sameDevice = sources.stream()
                    .filter(s -> targetDevice.equals(deviceOfNearestFolder(s.toAbsolutePath()))).findFirst();
            if (sameDevice.isEmpty()) {
                return Optional.empty();
            }
            source = sameDevice.get().toAbsolutePath().normalize().toString(); // "." is named as the folder it is
            target = folder.get().toAbsolutePath().normalize().toString();
        }
        if (target == null) {
            return Optional.empty();
        }
        return Optional.of("the backup is on the same disk as " + source + ": a disk failure, theft or fire takes both."
                + " Add a target on another disk or machine (s3://, github://, a mounted remote disk); if " + target
                + " should be on a removable or network disk, check that it is mounted.");
    }

    /**
     * The device of {@code p}, or of the nearest folder above it that exists (where a target folder not made yet
     * would be made); null where the platform does not tell.
     */
    private static Object deviceOfNearestFolder(Path p) {
        Path existing = p.toAbsolutePath();
        while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return null;
        }
        try {
            return Files.getAttribute(existing, "unix:dev"); // null where the platform does not tell
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return null;
        }
    }
}
