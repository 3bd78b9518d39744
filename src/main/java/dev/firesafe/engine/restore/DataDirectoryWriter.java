package dev.firesafe.engine.restore;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Writes a PostgreSQL data directory from the {@code base.tar} entry of a backup as it streams by: the entry's
 * bytes go through a pipe into a tar reader on a thread of its own, which writes each file below {@code dir}
 * (folders 0700, files with the tar's mode limited to the owner, as PostgreSQL wants). No copy of the tar is kept.
 * Other entries are skipped. Names that would leave {@code dir} are refused; links are not written (a
 * single-tablespace cluster has none).
 */
final class DataDirectoryWriter implements EntryHandler {

    private static final int PIPE = 1 << 20;
    private static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");

    private final Path dir;
    private final java.util.function.Predicate<String> entry;
    private final List<String> warnings = new ArrayList<>();
    private Thread untar;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private boolean found;

    /** {@code entry}: which backup entry holds the tar (the first that matches), e.g. {@code postgres-base/H_P/base.tar}. */
    DataDirectoryWriter(Path dir, java.util.function.Predicate<String> entry) {
        this.dir = dir.toAbsolutePath().normalize();
        this.entry = entry;
    }

    boolean found() {
        return found;
    }

    @Override
    public void directory(String name, int mode, FileTime mtime) {
    }

    @Override
    public void symlink(String name, String linkTarget, FileTime mtime) {
    }

    @Override
    public OutputStream file(String name, long size, int mode, FileTime mtime) throws IOException {
        if (found || !entry.test(name)) {
            return OutputStream.nullOutputStream();
        }
        found = true;
        PipedInputStream in = new PipedInputStream(PIPE);
        PipedOutputStream out = new PipedOutputStream(in);
        untar = new Thread(() -> {
            try (in) {
                extract(in);
                in.transferTo(OutputStream.nullOutputStream()); // the tar's padding
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "firesafe-untar");
        untar.setDaemon(true);
        untar.start();
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                check();
                out.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                check();
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                out.close();
                try {
                    untar.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted");
                }
                check();
            }
        };
    }

    private void check() throws IOException {
        Throwable t = failure.get();
        if (t != null) {
            throw DestinationIOException.of(t instanceof IOException io ? io : new IOException(t));
        }
    }

    private void extract(InputStream tar) throws IOException {
        TarArchiveInputStream in = new TarArchiveInputStream(tar);
        for (TarArchiveEntry e; (e = in.getNextEntry()) != null; ) {
            Path p = dir.resolve(e.getName()).normalize();
            if (!p.startsWith(dir)) {
                throw new IOException("the base backup holds a name outside the data directory: " + e.getName());
            }
            if (e.isDirectory()) {
                Files.createDirectories(p);
                Files.setPosixFilePermissions(p, DIR_MODE);
            } else if (e.isFile()) {
                Files.createDirectories(p.getParent());
                try (OutputStream out = Files.newOutputStream(p)) {
                    in.transferTo(out);
                }
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(ownerOnly(e.getMode())));
            } else {
                warnings.add(e.getName() + ": not written (" + (e.isSymbolicLink() ? "a link; tablespaces other "
                        + "than the default one are not supported" : "not a file or folder") + ")");
            }
        }
    }

    private static String ownerOnly(int mode) {
        return ((mode & 0400) != 0 ? "r" : "-") + ((mode & 0200) != 0 ? "w" : "-") + ((mode & 0100) != 0 ? "x" : "-")
                + "------";
    }

    @Override
    public void fileDone(String name, int mode, FileTime mtime) {
    }

    @Override
    public void finish() {
    }

    @Override
    public List<String> warnings() {
        return warnings;
    }
}
