package dev.firesafe.source;

import dev.firesafe.archive.FileMeta;
import dev.firesafe.archive.FileNames;
import dev.firesafe.plan.SourceSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A name that is not UTF-8 but whose bad bytes sit past the 255-byte cut is spelled out without any U+FFFD
 * ("aaa...a~CRC"): it must still be warned about, keep its exact bytes, and be checked for clashes.
 */
class SourceWalkerCutNamesTest {

    @TempDir
    Path tmp;

    private final List<String> files = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();
    private final Map<String, byte[]> exact = new HashMap<>();

    private final SourceWalker.EntrySink sink = new SourceWalker.EntrySink() {
        @Override
        public void directory(String name, FileMeta meta) {
        }

        @Override
        public void symlink(String name, String target, FileMeta meta) {
        }

        @Override
        public void file(String name, Path path, FileMeta meta) {
            files.add(name);
        }

        @Override
        public void warn(String name, String problem) {
            warnings.add(name + ": " + problem);
        }

        @Override
        public void exactBytes(String name, byte[] path, byte[] linkTarget) {
            exact.put(name, path);
        }
    };

    /** 250 'a' then two bytes that are not UTF-8: 252 bytes on disk, 260 spelled out, so cut. */
    private static byte[] longBadName() {
        byte[] raw = new byte[252];
        Arrays.fill(raw, (byte) 'a');
        raw[250] = (byte) 0xff;
        raw[251] = (byte) 0xfe;
        return raw;
    }

    private void walk() throws IOException {
        new SourceWalker(sink, Set.of()).walk(new SourceSpec(tmp, List.of(), List.of()), "src");
    }

    @Test
    void aCutNameWithoutReplacementCharacterKeepsItsExactBytes() throws IOException {
        byte[] raw = longBadName();
        String shown = FileNames.decode(raw).text();
        assertFalse(shown.contains("\uFFFD"), shown); // the premise: the cut dropped every U+FFFD
        Files.writeString(tmp.resolve(FileNames.path(raw)), "x");
        walk();
        assertEquals(List.of("src/" + shown), files);
        assertEquals(1, warnings.size(), warnings.toString());
        assertArrayEquals(("src/" + new String(raw, StandardCharsets.ISO_8859_1))
                .getBytes(StandardCharsets.ISO_8859_1), exact.get("src/" + shown));
    }

    @Test
    void aCutNameMeetingARealNameIsNotStoredTwice() throws IOException {
        byte[] raw = longBadName();
        String shown = FileNames.decode(raw).text();
        Files.writeString(tmp.resolve(FileNames.path(raw)), "bad bytes");
        Files.writeString(tmp.resolve(shown), "real"); // a valid name that reads exactly like the cut spelling
        walk();
        assertEquals(1, files.size(), files.toString());
        assertTrue(warnings.stream().anyMatch(w -> w.contains("clashes")), warnings.toString());
    }
}
