package dev.firesafe.archive;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.zip.CRC32;

/**
 * File names as archives hold them: UTF-8 text, whatever the JVM's locale.
 *
 * <p>Java turns the bytes of a Linux file name into a String with the locale's charset ({@code sun.jnu.encoding})
 * and turns Strings back into bytes the same way. Under {@code LANG=C} or no {@code LANG} at all (cron, many
 * systemd units, slim containers) that charset is ASCII: "Fotos/Müller.jpg" reads as "Fotos/M??ller.jpg", and
 * {@code Path.of} refuses to make the path again from text (InvalidPathException), which stopped whole backups.
 * This class goes through a name's bytes instead, with public API only: {@link Path#toUri()} spells a path's
 * bytes as percent escapes, and {@link Path#of(URI)} makes a path from them. The plain conversions are the fast
 * path, taken whenever they are exact (always, in a UTF-8 locale, for names that are valid UTF-8).
 *
 * <p>Bytes that are not valid UTF-8 cannot be text; each such byte becomes U+FFFD followed by its two hex digits
 * ("bad\xFFname" is shown as "bad\uFFFDFFname"), so that different names stay different, and the caller warns.
 * Archives keep the exact bytes of such names beside the text ({@link ArchiveWriter#PAX_NAME_BYTES}), and
 * restore makes them again with {@link #path(byte[])}.
 */
public final class FileNames {

    /** A name as text; {@code exact} is false when its bytes were not valid UTF-8 (see the class comment). */
    public record Name(String text, boolean exact) {
    }

    private static final Charset LOCALE = localeCharset();
    private static final boolean LOCALE_IS_UTF8 = LOCALE.equals(StandardCharsets.UTF_8);
    private static final Path ROOT = Path.of("/");
    private static final char REPLACEMENT = '\uFFFD';
    /** The longest file name most Linux file systems accept (NAME_MAX), in bytes. */
    private static final int MAX_NAME_BYTES = 255;

    private FileNames() {
    }

    /** The name of {@code path} relative to {@code root} ('/'-separated), as UTF-8 text. */
    public static Name relative(Path root, Path path) {
        return text(root.relativize(path));
    }

    /** A path as UTF-8 text: for relative paths (names, link targets) and absolute ones alike. */
    public static Name text(Path path) {
        String plain = path.toString();
        if (isAscii(plain) || (LOCALE_IS_UTF8 && plain.indexOf(REPLACEMENT) < 0)) {
            return new Name(plain, true);
        }
        return decode(bytes(path));
    }

    /** {@code name} ('/'-separated UTF-8 text, relative) below {@code dir}, with exactly the name's bytes. */
    public static Path resolve(Path dir, String name) {
        return dir.resolve(path(name));
    }

    /** A path (relative or absolute) with exactly the UTF-8 bytes of {@code text}. */
    public static Path path(String text) {
        if (isAscii(text) || LOCALE_IS_UTF8) {
            return Path.of(text); // exact: the locale's charset writes these bytes
        }
        return path(text.getBytes(StandardCharsets.UTF_8));
    }

    /** A path (relative or absolute) with exactly {@code bytes}, which need not be UTF-8 (none may be NUL). */
    public static Path path(byte[] bytes) {
        boolean absolute = bytes.length > 0 && bytes[0] == '/';
        Path made = Path.of(URI.create("file://" + (absolute ? "" : "/") + escape(bytes)));
        return absolute || made.getNameCount() == 0 ? made
                : made.subpath(0, made.getNameCount()); // keeps ".." (relativize would drop it)
    }

    /** The bytes of {@code path}'s name as the file system holds them. */
    public static byte[] bytes(Path path) {
        Path absolute = path.isAbsolute() ? path : ROOT.resolve(path);
        String raw = absolute.toUri().getRawPath(); // percent-escaped bytes; a trailing '/' if it is a folder
        byte[] bytes = unescape(raw);
        int end = bytes.length > 1 && bytes[bytes.length - 1] == '/' ? bytes.length - 1 : bytes.length;
        return Arrays.copyOfRange(bytes, path.isAbsolute() ? 0 : 1, end);
    }

    /** {@code bytes} as text: exact when they are UTF-8, else spelled out (see the class comment). */
    public static Name decode(byte[] bytes) {
        try {
            return new Name(StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString(), true);
        } catch (CharacterCodingException e) {
            return new Name(lossy(bytes), false);
        }
    }

    /** Each '/'-separated name spelled out on its own ({@link #spelledOut}). */
    private static String lossy(byte[] bytes) {
        StringBuilder out = new StringBuilder(bytes.length + 8);
        int start = 0;
        for (int i = 0; i <= bytes.length; i++) {
            if (i == bytes.length || bytes[i] == '/') { // '/' is never part of a multi-byte UTF-8 sequence
                if (start > 0) {
                    out.append('/');
                }
                out.append(spelledOut(Arrays.copyOfRange(bytes, start, i)));
                start = i + 1;
            }
        }
        return out.toString();
    }

    /**
     * Valid UTF-8 runs as text, every other byte as U+FFFD and two hex digits. Spelling out makes a name longer
     * (one bad byte becomes five); one that would pass the usual 255-byte limit of a file name could be stored
     * but never restored, so it is cut to fit and ends in "~" and the CRC-32 of its original bytes, which keeps
     * different names apart (a clash left is caught by the walk, which then leaves the entry out and says so).
     */
    private static String spelledOut(byte[] name) {
        StringBuilder out = new StringBuilder(name.length + 8);
        int i = 0;
        while (i < name.length) {
            int length = validSequenceLength(name, i);
            if (length > 0) {
                out.append(new String(name, i, length, StandardCharsets.UTF_8));
                i += length;
            } else {
                out.append(REPLACEMENT).append(HexFormat.of().withUpperCase().toHexDigits(name[i]));
                i++;
            }
        }
        String text = out.toString();
        if (text.getBytes(StandardCharsets.UTF_8).length <= MAX_NAME_BYTES) {
            return text;
        }
        CRC32 crc = new CRC32();
        crc.update(name);
        String suffix = "~" + HexFormat.of().withUpperCase().toHexDigits((int) crc.getValue());
        int budget = MAX_NAME_BYTES - suffix.length();
        int end = 0;
        int bytes = 0;
        while (end < text.length()) {
            int cp = text.codePointAt(end);
            int size = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
            if (bytes + size > budget) {
                break;
            }
            bytes += size;
            end += Character.charCount(cp);
        }
        return text.substring(0, end) + suffix;
    }

    /** The length of the valid UTF-8 sequence starting at {@code i} (1-4), or 0 if none starts there. */
    private static int validSequenceLength(byte[] b, int i) {
        int lead = b[i] & 0xff;
        int length = lead < 0x80 ? 1 : lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3
                : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
        if (length <= 1 || i + length > b.length) {
            return length == 1 ? 1 : 0;
        }
        try { // the JDK's strict decoder judges overlong forms, surrogates and the range limit
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b, i, length));
            return length;
        } catch (CharacterCodingException e) {
            return 0;
        }
    }

    private static String escape(byte[] bytes) {
        StringBuilder out = new StringBuilder(bytes.length * 3);
        for (byte b : bytes) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~/".indexOf(c) >= 0) {
                out.append((char) c);
            } else {
                out.append('%').append(HexFormat.of().withUpperCase().toHexDigits(b));
            }
        }
        return out.toString();
    }

    private static byte[] unescape(String raw) {
        byte[] out = new byte[raw.length()];
        int n = 0;
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                out[n++] = (byte) HexFormat.fromHexDigits(raw, i + 1, i + 3);
                i += 2;
            } else {
                out[n++] = (byte) c; // toUri escapes every non-ASCII byte
            }
        }
        return Arrays.copyOf(out, n);
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    private static Charset localeCharset() {
        try {
            return Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
        } catch (RuntimeException e) {
            return StandardCharsets.US_ASCII; // unknown: trust only ASCII
        }
    }
}
