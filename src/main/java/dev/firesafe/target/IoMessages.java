package dev.firesafe.target;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

/** Turns JDK I/O exceptions into one-line reasons a person understands ("no space left", "permission denied"). */
public final class IoMessages {
    private IoMessages() {
    }

    public static String describe(IOException e) {
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
}
