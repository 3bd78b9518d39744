package dev.firesafe.repository.format;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The binary forms inside a chunked backup object: unsigned LEB128 varints and length-prefixed byte strings. Every
 * length read is checked against a limit, so a damaged (or hostile, but then also authenticated) page cannot make
 * a reader allocate without bound.
 */
final class Wire {

    static final int MAX_STRING = 1 << 20;

    private Wire() {
    }

    static void varint(DataOutput out, long value) throws IOException {
        if (value < 0) {
            throw new IllegalArgumentException("negative varint " + value);
        }
        while ((value & ~0x7FL) != 0) {
            out.writeByte((int) ((value & 0x7F) | 0x80));
            value >>>= 7;
        }
        out.writeByte((int) value);
    }

    static long varint(DataInput in) throws IOException {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = in.readUnsignedByte();
            value |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new IOException("malformed varint");
    }

    static int smallInt(DataInput in, int max, String what) throws IOException {
        long v = varint(in);
        if (v > max) {
            throw new IOException(what + " " + v + " exceeds " + max);
        }
        return (int) v;
    }

    static void bytes(DataOutput out, byte[] b) throws IOException {
        varint(out, b.length);
        out.write(b);
    }

    static byte[] bytes(DataInput in, int max, String what) throws IOException {
        byte[] b = new byte[smallInt(in, max, what + " length")];
        in.readFully(b);
        return b;
    }

    static void string(DataOutput out, String s) throws IOException {
        bytes(out, s.getBytes(StandardCharsets.UTF_8));
    }

    static String string(DataInput in, String what) throws IOException {
        return new String(bytes(in, MAX_STRING, what), StandardCharsets.UTF_8);
    }

    /** A string that may be absent (written as length 0 with a flag byte before it). */
    static void optionalString(DataOutput out, String s) throws IOException {
        out.writeBoolean(s != null);
        if (s != null) {
            string(out, s);
        }
    }

    static String optionalString(DataInput in, String what) throws IOException {
        return in.readBoolean() ? string(in, what) : null;
    }

    static void optionalBytes(DataOutput out, byte[] b) throws IOException {
        out.writeBoolean(b != null);
        if (b != null) {
            bytes(out, b);
        }
    }

    static byte[] optionalBytes(DataInput in, int max, String what) throws IOException {
        return in.readBoolean() ? bytes(in, max, what) : null;
    }
}
