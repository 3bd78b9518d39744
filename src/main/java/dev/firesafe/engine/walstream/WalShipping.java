package dev.firesafe.engine.walstream;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Where the streamer puts WAL: the WAL archive ({@code repository.wal.WalArchive}) on every target of the
 * function's plan. Completed segments and timeline history files go under their own names (pushing the same file
 * twice succeeds, so a host killed between a push and the spool's delete pushes again harmlessly); the segment
 * still being written goes as a new partial version ({@code SEGMENT.partial.MILLIS}), never under the segment's
 * name, so the completed segment is never refused or replaced by it, and a restore to the newest WAL ends with it.
 */
public interface WalShipping extends AutoCloseable {

    /** Stores a completed segment or {@code .history} file on every target; returns once all hold it. */
    void push(String name, Path file) throws IOException;

    /** Stores the current state of segment {@code segment} (named without {@code .partial}) as a new version. */
    void pushPartial(String segment, Path file) throws IOException;

    /** Removes partial versions of segments now archived complete (best effort, from time to time). */
    void removeSuperseded() throws IOException;

    @Override
    void close();
}
