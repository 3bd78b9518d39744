package dev.firesafe.store.github;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Collections;

/**
 * A Contents API request body, {@code {...,"content":"BASE64"}}, produced while it is sent: the base64 text is
 * encoded chunk by chunk from the part buffer, so the ~4/3-sized copy never exists in memory. A fresh instance
 * per attempt makes retries re-send the same bytes.
 */
final class Base64Body {

    private static final int CHUNK = 48 * 1024; // a multiple of 3: no padding inside the stream

    private Base64Body() {
    }

    /** {@code jsonWithoutContent} is a serialized JSON object; the content field is appended to it. */
    static InputStream of(String jsonWithoutContent, byte[] data, int off, int len) {
        List<InputStream> pieces = List.of(
                new ByteArrayInputStream(head(jsonWithoutContent)),
                new Encoding(data, off, len),
                new ByteArrayInputStream("\"}".getBytes(StandardCharsets.US_ASCII)));
        return new SequenceInputStream(Collections.enumeration(pieces));
    }

    private static byte[] head(String json) {
        String open = json.substring(0, json.lastIndexOf('}'));
        return (open + (open.trim().equals("{") ? "" : ",") + "\"content\":\"").getBytes(StandardCharsets.UTF_8);
    }

    /** Base64 of a byte range, encoded one chunk at a time as it is read. */
    private static final class Encoding extends InputStream {
        private final byte[] data;
        private final int end;
        private int next;
        private byte[] encoded = new byte[0];
        private int pos;

        Encoding(byte[] data, int off, int len) {
            this.data = data;
            this.next = off;
            this.end = off + len;
        }

        private boolean fill() {
            if (pos < encoded.length) {
                return true;
            }
            if (next >= end) {
                return false;
            }
            int n = Math.min(CHUNK, end - next);
            encoded = Base64.getEncoder().encode(java.util.Arrays.copyOfRange(data, next, next + n));
            next += n;
            pos = 0;
            return true;
        }

        @Override
        public int read() {
            return fill() ? encoded[pos++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (len == 0) {
                return 0;
            }
            if (!fill()) {
                return -1;
            }
            int n = Math.min(len, encoded.length - pos);
            System.arraycopy(encoded, pos, b, off, n);
            pos += n;
            return n;
        }
    }
}
