package dev.firesafe.core;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

/** Turns JDK I/O exceptions into one-line reasons a person understands ("no space left", "permission denied"). */
public final class IoMessages {
    private IoMessages() {
    }

    /** Longest reason given in full; file names in an error can be as long as a crafted archive makes them. */
    static final int MAX_LENGTH = 1000;

    public static String describe(IOException e) {
        return shorten(reason(e), MAX_LENGTH);
    }

    private static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied (" + e.getMessage() + ")";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or directory (" + e.getMessage() + ")";
        }
        if (e instanceof FileSystemException fse && fse.getReason() != null) {
            return fse.getReason() + " (" + fse.getFile() + ")";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** {@code s}, or its start and end around a note of what was left out (an error is read, not scrolled). */
    public static String shorten(String s, int maxLength) {
        if (s.length() <= maxLength) {
            return s;
        }
        int head = maxLength * 2 / 3;
        int tail = maxLength / 4;
        return s.substring(0, head) + " [... " + (s.length() - head - tail) + " characters left out ...] "
                + s.substring(s.length() - tail);
    }
}
