package dev.firesafe.engine.restore;

import dev.firesafe.core.ExitCode;
import dev.firesafe.core.FiresafeException;
import org.junit.jupiter.api.Test;

import java.io.File;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Which entry names a restore accepts: every segment must be a real name. */
class ArchivePathsTest {

    @Test
    void ordinaryNamesPassAndLoseOnlyATrailingSlash() {
        for (String name : List.of("a", "a/b/c.txt", ".hidden", "dir/.hidden", "...", "a/.../b", "..a", "a..",
                "a/..b/c", ".a/.b", "x/y/", "ünïcødé/名前.txt")) {
            String expected = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
            assertEquals(expected, ArchivePaths.check(name), name);
        }
    }

    @Test
    void dotEmptyAndDotDotSegmentsAreRefusedWhereverTheyStand() {
        for (String name : List.of(".", "..", "./a", "../a", "a/.", "a/..", "a/./b", "a/../b", "a//b", "a/b//",
                "//a", "a/b/..", "./", "../")) {
            FiresafeException e = assertThrows(FiresafeException.class, () -> ArchivePaths.check(name), name);
            assertEquals(ExitCode.INTEGRITY, e.exitCode(), name);
        }
    }

    @Test
    void absoluteAndNulNamesAreRefused() {
        for (String name : List.of("", "/", "/etc/passwd", "a\0b")) {
            assertThrows(FiresafeException.class, () -> ArchivePaths.check(name), name);
        }
    }

    @Test
    void backslashesAndDriveLettersAreOrdinaryCharactersOnPosix() {
        // Legal Linux file names: refusing them made a backup holding one unrestorable (found 2026-11-25).
        assumeTrue(File.separatorChar == '/');
        for (String name : List.of("a\\b", "..\\x", "dir\\..\\..\\x", "C:", "c:notes", "C:/x", "x/c:y")) {
            assertEquals(name, ArchivePaths.check(name), name);
        }
    }

    @Test
    void aCraftedHugeNameIsRefusedWithAnErrorOfReadableLength() {
        String huge = "../" + "a".repeat(1 << 20) + "/tail";
        FiresafeException e = assertThrows(FiresafeException.class, () -> ArchivePaths.check(huge));
        assertEquals(ExitCode.INTEGRITY, e.exitCode());
        assertTrue(e.getMessage().length() < 1000, "message of " + e.getMessage().length() + " characters");
        assertTrue(e.getMessage().contains("'../aaaa") && e.getMessage().contains("characters left out")
                && e.getMessage().contains("aaaa/tail'"), e.getMessage());
    }
}
