package dev.firesafe.source;

import dev.firesafe.archive.FileNames;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

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

    private final RecordingSink sink = new RecordingSink();

    /** 250 'a' then two bytes that are not UTF-8: 252 bytes on disk, 260 spelled out, so cut. */
    private static byte[] longBadName() {
        byte[] raw = new byte[252];
        Arrays.fill(raw, (byte) 'a');
        raw[250] = (byte) 0xff;
        raw[251] = (byte) 0xfe;
        return raw;
    }

    private void walk() throws IOException {
        sink.walk(tmp);
    }

    @Test
    void aCutNameWithoutReplacementCharacterKeepsItsExactBytes() throws IOException {
        byte[] raw = longBadName();
        String shown = FileNames.decode(raw).text();
        assertFalse(shown.contains("\uFFFD"), shown); // the premise: the cut dropped every U+FFFD
        Files.writeString(tmp.resolve(FileNames.path(raw)), "x");
        walk();
        assertEquals(List.of("src/" + shown), sink.files);
        assertEquals(1, sink.warnings.size(), sink.warnings.toString());
        assertArrayEquals(("src/" + new String(raw, StandardCharsets.ISO_8859_1))
                .getBytes(StandardCharsets.ISO_8859_1), sink.exact.get("src/" + shown));
    }

    @Test
    void aCutNameMeetingARealNameIsNotStoredTwice() throws IOException {
        byte[] raw = longBadName();
        String shown = FileNames.decode(raw).text();
        Files.writeString(tmp.resolve(FileNames.path(raw)), "bad bytes");
        Files.writeString(tmp.resolve(shown), "real"); // a valid name that reads exactly like the cut spelling
        walk();
        assertEquals(1, sink.files.size(), sink.files.toString());
        assertTrue(sink.warnings.stream().anyMatch(w -> w.contains("clashes")), sink.warnings.toString());
    }
}
