package dev.firesafe.archive;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Names as UTF-8 text from a file system's bytes, and back; the locale-independent part (PosixLocaleIT: LANG=C). */
class FileNamesTest {

    @TempDir
    Path tmp;

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    @Test
    void validUtf8IsExactText() {
        FileNames.Name n = FileNames.decode("Fotos/Müller 日本.jpg".getBytes(StandardCharsets.UTF_8));
        assertEquals(new FileNames.Name("Fotos/Müller 日本.jpg", true), n);
    }

    @Test
    void badBytesAreSpelledOutAndValidRunsKept() {
        // é (C3 A9), a stray FF, 名 (E5 90 8D), a lone continuation byte 80, a truncated 3-byte lead E5 90
        byte[] b = bytes(0xc3, 0xa9, 0xff, 0xe5, 0x90, 0x8d, 0x80, 'x', 0xe5, 0x90);
        assertEquals(new FileNames.Name("é\uFFFDFF名\uFFFD80x\uFFFDE5\uFFFD90", false), FileNames.decode(b));
    }

    @Test
    void overlongFormsAndSurrogatesAreNotText() {
        assertEquals("\uFFFDC0\uFFFDAF", FileNames.decode(bytes(0xc0, 0xaf)).text()); // overlong '/'
        assertEquals("\uFFFDED\uFFFDA0\uFFFD80", FileNames.decode(bytes(0xed, 0xa0, 0x80)).text()); // U+D800
        assertEquals("\uFFFDF4\uFFFD90\uFFFD80\uFFFD80", FileNames.decode(bytes(0xf4, 0x90, 0x80, 0x80)).text());
    }

    @Test
    void differentBadNamesStayDifferent() {
        assertNotEquals(FileNames.decode(bytes('a', 0xff)).text(), FileNames.decode(bytes('a', 0xfe)).text());
    }

    @Test
    void aSpelledOutNameIsCutToTheFileNameLimitAndStaysDistinct() {
        byte[] a = new byte[244]; // a legal name: 240 'A' and 4 bad bytes, 244 bytes; spelled out it would be 260
        java.util.Arrays.fill(a, (byte) 'A');
        a[240] = a[241] = a[242] = a[243] = (byte) 0xe9;
        byte[] b = a.clone();
        b[243] = (byte) 0xea;
        String sa = FileNames.decode(a).text();
        String sb = FileNames.decode(b).text();
        assertTrue(sa.getBytes(StandardCharsets.UTF_8).length <= 255, sa);
        assertTrue(sa.matches("A{240}(\uFFFDE9)*~[0-9A-F]{8}"), sa);
        assertNotEquals(sa, sb);
        assertEquals(sa, FileNames.decode(a).text(), "the same bytes, the same name");
        byte[] path = new byte[a.length + 4]; // "dir/" + the name: only the long name is cut, per '/'-part
        System.arraycopy("dir/".getBytes(StandardCharsets.UTF_8), 0, path, 0, 4);
        System.arraycopy(a, 0, path, 4, a.length);
        assertEquals("dir/" + sa, FileNames.decode(path).text());
    }

    @Test
    void aFileNamedWithBadBytesIsReadFromItsBytes() throws IOException {
        Path bad = Path.of(URI.create(tmp.toUri() + "dir/bad%FF%FEname"));
        Files.createDirectories(bad.getParent());
        Files.writeString(bad, "x");
        assertArrayEquals(bytes('d', 'i', 'r', '/', 'b', 'a', 'd', 0xff, 0xfe, 'n', 'a', 'm', 'e'),
                FileNames.bytes(tmp.relativize(bad)));
        FileNames.Name name = FileNames.relative(tmp, bad);
        assertFalse(name.exact());
        assertEquals("dir/bad\uFFFDFF\uFFFDFEname", name.text());
    }

    @Test
    void textGoesBackToTheSameBytes() throws IOException {
        for (String text : new String[] {"plain.txt", "ünïcödé/日本語ファイル.txt", "../up/ü", "a b%41*?[x]", "/abs/ö"}) {
            Path p = FileNames.path(text);
            assertEquals(text.startsWith("/"), p.isAbsolute(), text);
            assertArrayEquals(text.getBytes(StandardCharsets.UTF_8), FileNames.bytes(p), text);
            assertEquals(new FileNames.Name(text, true), FileNames.text(p), text);
        }
        Path made = FileNames.resolve(tmp, "ünï/ö.txt");
        assertTrue(made.startsWith(tmp));
        Files.createDirectories(made.getParent());
        Files.writeString(made, "ok");
        assertEquals(new FileNames.Name("ünï/ö.txt", true), FileNames.relative(tmp, made));
    }
}
