package dev.firesafe.engine.restore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * Sets modification times that the JDK's own setter gets wrong without a word (Linux, JDK 17). It hands the kernel
 * nanoseconds in a long: a time after 2262-04-11 saturates to that day; a time before 1970 with a fraction of a
 * second, or before 1677, becomes a negative nanosecond field, which the kernel refuses, and the JDK then sets
 * 1970-01-01 instead. Times from the archive are valid (file systems hold 1901 to 2446 and beyond), so:
 * before 1970 the whole second the time lies in is set; after 2262 {@link java.io.File#setLastModified} (to the
 * millisecond) is used; before 1677 the earliest second the JDK can set.
 */
final class FileTimes {

    /** The last and first whole seconds whose nanoseconds fit in a long. */
    private static final long LAST_SECOND = Long.MAX_VALUE / 1_000_000_000L;
    private static final long FIRST_SECOND = Long.MIN_VALUE / 1_000_000_000L;

    private FileTimes() {
    }

    /** Sets the modification time of the file or folder {@code p} (never a link: this follows one). */
    static void set(Path p, FileTime mtime) throws IOException {
        Instant t = mtime.toInstant();
        if (t.getEpochSecond() >= LAST_SECOND) {
            long millis;
            try {
                millis = t.toEpochMilli();
            } catch (ArithmeticException e) {
                millis = Long.MAX_VALUE; // the kernel clamps to what the file system holds
            }
            // java.io.File spells the path in the locale: a name it cannot spell fails here and gets the nearest
            // time the path-based setter can give
            if (p.getFileSystem() == java.nio.file.FileSystems.getDefault() && p.toFile().setLastModified(millis)) {
                return;
            }
        }
        Files.setLastModifiedTime(p, settable(mtime));
    }

    /** Sets the time of the link {@code p} itself, never of what it points to. */
    static void setNoFollow(Path p, FileTime mtime) throws IOException {
        Files.getFileAttributeView(p, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .setTimes(settable(mtime), null, null);
    }

    /** {@code mtime}, or the nearest time the JDK's setter passes on unchanged (see the class comment). */
    static FileTime settable(FileTime mtime) {
        Instant t = mtime.toInstant();
        long second = t.getEpochSecond(); // the whole second the time lies in, also before 1970
        if (second < FIRST_SECOND) {
            return FileTime.from(FIRST_SECOND, TimeUnit.SECONDS);
        }
        if (second >= LAST_SECOND) {
            return FileTime.from(LAST_SECOND - 1, TimeUnit.SECONDS);
        }
        return second < 0 && t.getNano() != 0 ? FileTime.from(second, TimeUnit.SECONDS) : mtime;
    }
}
