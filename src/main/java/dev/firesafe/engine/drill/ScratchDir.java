package dev.firesafe.engine.drill;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/**
 * An owner-only temporary folder for one drill's restored files (they are the plaintext of a backup), removed
 * with everything in it when closed, even read-only folders the archive restored.
 */
final class ScratchDir implements AutoCloseable {

    private final Path path;

    ScratchDir(Path parent) throws IOException {
        Files.createDirectories(parent);
        this.path = Files.createTempDirectory(parent, "firesafe-drill-"); // 0700 on POSIX file systems
    }

    Path path() {
        return path;
    }

    /** Removes the folder and its contents; symbolic links are removed, never followed. */
    @Override
    public void close() throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        Files.walkFileTree(path, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                // a folder restored read-only (0555) would keep its children when not running as root
                Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir);
                if (perms.addAll(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                        PosixFilePermission.OWNER_EXECUTE))) {
                    Files.setPosixFilePermissions(dir, perms);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException failure) throws IOException {
                if (failure != null) {
                    throw failure;
                }
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
