package dev.firesafe.engine.walstream;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The local folder {@code pg_receivewal} writes into: completed segments ({@code 24 hex digits}), timeline history
 * files ({@code 8 hex digits.history}), and the one segment being written ({@code SEGMENT.partial}); and the
 * backup history files ({@code SEGMENT.OFFSET.backup}) the streamer copies from the server. Completed
 * files stay here until every target holds them, so a target that is down costs disk here, never WAL.
 */
final class Spool {

    private static final Pattern SEGMENT = Pattern.compile("[0-9A-F]{24}");
    private static final Pattern HISTORY = Pattern.compile("[0-9A-F]{8}\\.history");
    private static final Pattern BACKUP = Pattern.compile("[0-9A-F]{24}\\.[0-9A-F]{8}\\.backup");
    private static final Pattern PARTIAL = Pattern.compile("([0-9A-F]{24})\\.partial");

    /** What the folder holds now. */
    record Contents(List<Path> completed, Optional<Path> partial, long bytes) {
        /** The name of the segment the partial file holds. */
        Optional<String> partialSegment() {
            return partial.map(p -> p.getFileName().toString().substring(0, 24));
        }
    }

    private final Path dir;

    Spool(Path dir) {
        this.dir = dir;
    }

    Path dir() {
        return dir;
    }

    /**
     * Completed files in the order to ship them: history files first (a new timeline's segments need its history
     * to be found), then segments by name, which is by timeline and position.
     */
    Contents contents() throws IOException {
        List<Path> completed = new ArrayList<>();
        Path partial = null;
        long bytes = 0;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                boolean complete = SEGMENT.matcher(name).matches() || HISTORY.matcher(name).matches()
                        || BACKUP.matcher(name).matches();
                boolean isPartial = PARTIAL.matcher(name).matches();
                if (!complete && !isPartial) {
                    continue; // the receiver's pid file and log, a temporary file of pg_receivewal's own
                }
                long size = size(f);
                if (size < 0) {
                    continue; // renamed or shipped since the listing
                }
                bytes += size;
                if (complete) {
                    completed.add(f);
                } else if (partial == null || name.compareTo(partial.getFileName().toString()) > 0) {
                    partial = f;
                }
            }
        }
        completed.sort(Comparator.comparing((Path p) -> !p.getFileName().toString().endsWith(".history"))
                .thenComparing(p -> !p.getFileName().toString().endsWith(".backup"))
                .thenComparing(p -> p.getFileName().toString()));
        return new Contents(completed, Optional.ofNullable(partial), bytes);
    }

    /**
     * Removes {@code .partial} files holding nothing but zeros. pg_receivewal fills a new segment file with zeros
     * before it writes WAL into it, and a receiver stopped meanwhile leaves a file shorter than a segment, which
     * the next receiver refuses ("has N bytes, should be 0 or 16777216"), forever. Such a file holds no WAL.
     */
    List<Path> dropEmptyPartials() throws IOException {
        List<Path> dropped = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> PARTIAL.matcher(p.getFileName().toString()).matches()).toList()) {
                if (onlyZeros(f)) {
                    Files.delete(f);
                    dropped.add(f);
                }
            }
        }
        return dropped;
    }

    private static boolean onlyZeros(Path f) throws IOException {
        byte[] buffer = new byte[1 << 16];
        try (var in = Files.newInputStream(f)) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                for (int i = 0; i < n; i++) {
                    if (buffer[i] != 0) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    /** Adds a file the receiver does not write (a backup history file) whole: written aside, then renamed in. */
    void add(String name, String content) throws IOException {
        Path temp = dir.resolve("." + name + ".tmp");
        Files.writeString(temp, content);
        Files.move(temp, dir.resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    static long size(Path f) {
        try {
            return Files.size(f);
        } catch (NoSuchFileException e) {
            return -1;
        } catch (IOException e) {
            return -1;
        }
    }

    static FileTime modified(Path f) {
        try {
            return Files.getLastModifiedTime(f);
        } catch (IOException e) {
            return null;
        }
    }
}
