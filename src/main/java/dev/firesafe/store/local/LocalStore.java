package dev.firesafe.store.local;

import dev.firesafe.core.StoreIOException;
import dev.firesafe.io.DurableFiles;
import dev.firesafe.store.Ranges;
import dev.firesafe.store.Store;
import dev.firesafe.store.StoreErrors;
import dev.firesafe.store.StoreInputStream;
import org.jboss.logging.Logger;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A directory on a local or mounted file system. Uploads are written to a hidden {@code .NAME.partial} file next
 * to the final name, fsync'ed, then published with a hard link (which, unlike rename, refuses to replace an
 * existing file) and the directory is fsync'ed too, so a crash at any instant leaves either the old state or the
 * complete new file. Partial files left by a killed process hold only ciphertext; the next backup or prune of the
 * plan removes them as soon as their writer is known to be gone, else once unchanged for {@link #STALE_PARTIAL}
 * ({@link PartialOwner}), never while a running backup writes one.
 */
public final class LocalStore implements Store {

    private static final Logger LOG = Logger.getLogger(LocalStore.class);
    static final String PARTIAL_SUFFIX = ".partial";
    static final Duration STALE_PARTIAL = Duration.ofHours(6);
    private static final int WRITE_BUFFER = 1 << 20;

    private final Path root;

    public LocalStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    @Override
    public String describe() {
        // Path.toUri() ends with '/' only once the folder exists; a target's name (metric labels, health checks,
        // results) must not change when its first backup creates the folder
        String uri = root.toUri().toString();
        return uri.endsWith("/") ? uri : uri + "/";
    }

    @Override
    public Upload create(String name) throws IOException {
        Path finalPath = resolve(name);
        Path dir = finalPath.getParent();
        Path partial = dir.resolve("." + finalPath.getFileName() + PARTIAL_SUFFIX);
        try {
            Files.createDirectories(dir);
            PartialOwner.sweep(dir, PARTIAL_SUFFIX, STALE_PARTIAL, Instant.now());
            PartialOwner owner = PartialOwner.claim(partial); // before the partial exists: never one without it
            FileChannel channel;
            try {
                channel = FileChannel.open(partial, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            } catch (IOException | RuntimeException e) {
                if (owner != null) {
                    owner.close();
                }
                throw e;
            }
            return new LocalUpload(name, finalPath, partial, channel, owner);
        } catch (IOException e) {
            throw failure("cannot write to", e);
        }
    }

    /**
     * Removes the partial uploads of processes that are gone from the folder of {@code plan} (what {@link #create}
     * does before each upload; prune calls it too); returns their file names.
     */
    @Override
    public List<String> sweepPartials(String plan) {
        Path dir = resolve(plan);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        return PartialOwner.sweep(dir, PARTIAL_SUFFIX, STALE_PARTIAL, Instant.now());
    }

    @Override
    public List<StoredObject> list(String prefix) throws IOException {
        List<StoredObject> found = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            if (Files.exists(root)) {
                throw new StoreIOException(describe() + " is not a directory", null);
            }
            return found;
        }
        try {
            collect(root, "", prefix, found);
        } catch (IOException e) {
            throw failure("cannot list", e);
        }
        return found;
    }

    private void collect(Path dir, String relative, String prefix, List<StoredObject> found) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                String fileName = entry.getFileName().toString();
                if (fileName.startsWith(".")) {
                    continue; // partial uploads and other hidden files are never backups
                }
                String name = relative + fileName;
                if (Files.isDirectory(entry, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    if (prefix.startsWith(name + "/") || (name + "/").startsWith(prefix)) {
                        collect(entry, name + "/", prefix, found);
                    }
                } else if (Files.isRegularFile(entry) && name.startsWith(prefix)) {
                    found.add(new StoredObject(name, Files.size(entry)));
                }
            }
        }
    }

    @Override
    public Optional<Path> localFolder() {
        return Optional.of(root);
    }

    @Override
    public InputStream open(String name, long offset, long length) throws IOException {
        try {
            FileChannel channel = FileChannel.open(resolve(name), StandardOpenOption.READ);
            channel.position(offset);
            InputStream in = Channels.newInputStream(channel);
            return new StoreInputStream(length < 0 ? in : Ranges.limit(in, length), describe());
        } catch (NoSuchFileException e) {
            throw StoreErrors.missing(name, describe(), e);
        } catch (IOException e) {
            throw failure("cannot read from", e);
        }
    }

    @Override
    public void delete(String name) throws IOException {
        try {
            Files.deleteIfExists(resolve(name));
        } catch (IOException e) {
            throw failure("cannot delete from", e);
        }
    }

    private Path resolve(String name) {
        Path p = root.resolve(name).normalize();
        if (!p.startsWith(root) || p.equals(root)) {
            throw new IllegalArgumentException("object name escapes the target: " + name);
        }
        return p;
    }

    private StoreIOException failure(String verb, IOException e) {
        return StoreErrors.failed(verb, describe(), e);
    }

    private final class LocalUpload implements Upload {
        private final String name;
        private final Path finalPath;
        private final Path partial;
        private final FileChannel channel;
        private final PartialOwner owner;
        private final OutputStream stream;
        private boolean committed;

        LocalUpload(String name, Path finalPath, Path partial, FileChannel channel, PartialOwner owner) {
            this.name = name;
            this.finalPath = finalPath;
            this.partial = partial;
            this.channel = channel;
            this.owner = owner;
            this.stream = new BufferedOutputStream(new SyncOnClose(channel), WRITE_BUFFER);
        }

        @Override
        public OutputStream stream() {
            return stream;
        }

        @Override
        public void commit() throws IOException {
            try {
                stream.close();
                try {
                    Files.createLink(finalPath, partial);
                } catch (FileAlreadyExistsException e) {
                    throw StoreErrors.exists(name, describe(), e);
                } catch (UnsupportedOperationException e) {
                    publishByRename();
                }
                Files.delete(partial);
                releaseOwner();
                syncDirectory(finalPath.getParent());
                committed = true;
            } catch (IOException e) {
                abort();
                throw failure("cannot publish to", e);
            }
        }

        /** For file systems without hard links: check, then rename (not atomic against a concurrent writer). */
        private void publishByRename() throws IOException {
            if (Files.exists(finalPath)) {
                throw new FileAlreadyExistsException(finalPath.toString());
            }
            Files.move(partial, finalPath, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }

        @Override
        public void abort() {
            if (committed) {
                return;
            }
            try {
                channel.close();
            } catch (IOException ignored) {
                // the partial file is deleted below; a close error changes nothing
            }
            try {
                Files.deleteIfExists(partial);
            } catch (IOException e) {
                LOG.warnf("could not remove partial upload %s: %s", partial, e.getMessage());
            }
            releaseOwner();
        }

        /** After the partial is gone: a sweeper must never find a partial without its owner file. */
        private void releaseOwner() {
            if (owner != null) {
                owner.close();
            }
        }
    }

    private static void syncDirectory(Path dir) {
        if (!DurableFiles.syncFolder(dir)) {
            LOG.debugf("directory fsync not supported here (%s)", dir);
        }
    }

    /** Channel stream whose close() forces data to disk first: a commit must follow durable bytes. */
    private static final class SyncOnClose extends OutputStream {
        private final FileChannel channel;
        private final OutputStream out;

        SyncOnClose(FileChannel channel) {
            this.channel = channel;
            this.out = Channels.newOutputStream(channel);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            if (channel.isOpen()) {
                channel.force(true);
                channel.close();
            }
        }
    }
}
