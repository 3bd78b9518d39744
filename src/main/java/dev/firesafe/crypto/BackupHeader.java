package dev.firesafe.crypto;

import dev.firesafe.core.FiresafeException;
import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The plaintext header every backup file starts with:
 *
 * <pre>
 *   "FIRESAFE"  8 bytes magic
 *   version     1 byte: the format, 1 (one tar archive) or 2 (chunked, incremental)
 *   length      4 bytes big-endian, length of the JSON that follows (at most 64 KiB)
 *   JSON        backupId, plan, created, compression, keyMode, keyId, segmentSize[, wrappedKey]
 *               [, contentId, contentSize: archived WAL files only, format 3]
 *   ciphertext  Tink streaming AEAD, associated data = every header byte above
 * </pre>
 *
 * It is in clear so that {@code list} needs no key and a wrong key is named as such (the key id is here); it is
 * authenticated because all of it is the associated data of the ciphertext: changing any byte, renaming the
 * backup id or swapping the files of two backups makes decryption fail. {@code keyMode} is {@code master}
 * (symmetric master key) or {@code recipient} (write-only: a per-backup key wrapped for a public key).
 */
public record BackupHeader(String backupId, String plan, String created, String compression, String keyMode,
                           String keyId, int segmentSize, String wrappedKey, int format, String contentId,
                           long contentSize) {

    static final byte[] MAGIC = "FIRESAFE".getBytes(StandardCharsets.US_ASCII);
    /** One archive per backup: a compressed tar with its manifest last. */
    public static final int FORMAT_ARCHIVE = 1;
    /** Incremental: chunks in blocks, tree pages, an index and a footer (repository.format.ObjectLayout). */
    public static final int FORMAT_CHUNKED = 2;
    /**
     * One archived PostgreSQL WAL file (repository.wal.WalArchive): {@code backupId} is the WAL file's name,
     * {@code contentId} the HMAC-SHA256 of its bytes under the content key (so pushing the same file again is
     * recognised without decrypting), {@code contentSize} its length; the body is the compressed file.
     */
    public static final int FORMAT_WAL = 3;

    public BackupHeader(String backupId, String plan, String created, String compression, String keyMode,
                        String keyId, int segmentSize, String wrappedKey) {
        this(backupId, plan, created, compression, keyMode, keyId, segmentSize, wrappedKey, FORMAT_ARCHIVE);
    }

    public BackupHeader(String backupId, String plan, String created, String compression, String keyMode,
                        String keyId, int segmentSize, String wrappedKey, int format) {
        this(backupId, plan, created, compression, keyMode, keyId, segmentSize, wrappedKey, format, null, -1);
    }

    /** This header for a backup of another format (the version byte; authenticated like every header byte). */
    public BackupHeader withFormat(int newFormat) {
        return new BackupHeader(backupId, plan, created, compression, keyMode, keyId, segmentSize, wrappedKey,
                newFormat, contentId, contentSize);
    }

    /** This header for an archived WAL file of {@code size} bytes whose keyed digest is {@code id}. */
    public BackupHeader withContent(String id, long size) {
        return new BackupHeader(backupId, plan, created, compression, keyMode, keyId, segmentSize, wrappedKey,
                format, id, size);
    }
    private static final int MAX_JSON = 64 * 1024;
    public static final String KEY_MODE_MASTER = "master";
    /** Write-only: {@code keyId} names the recovery key, {@code wrappedKey} is the HPKE-wrapped data key. */
    public static final String KEY_MODE_RECIPIENT = "recipient";

    /**
     * The exact bytes of this header as written to the file. JSON-P (Parsson) rather than Jackson: it is the
     * first thing a backup writes and a restore reads, and Jackson's start (~0.3 s) would delay both.
     */
    public byte[] toBytes() {
        JsonObjectBuilder json = Json.createObjectBuilder();
        putIfSet(json, "backupId", backupId);
        putIfSet(json, "plan", plan);
        putIfSet(json, "created", created);
        putIfSet(json, "compression", compression);
        putIfSet(json, "keyMode", keyMode);
        putIfSet(json, "keyId", keyId);
        json.add("segmentSize", segmentSize);
        putIfSet(json, "wrappedKey", wrappedKey);
        putIfSet(json, "contentId", contentId);
        if (contentSize >= 0) {
            json.add("contentSize", contentSize);
        }
        byte[] bytes = json.build().toString().getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(MAGIC.length + 5 + bytes.length).put(MAGIC).put((byte) format)
                .putInt(bytes.length).put(bytes).array();
    }

    private static void putIfSet(JsonObjectBuilder json, String name, String value) {
        if (value != null) {
            json.add(name, value);
        }
    }

    /** Fields this version does not know are ignored, so a newer writer's additions do not break reading. */
    private static BackupHeader fromJson(byte[] bytes) {
        try (JsonReader reader = Json.createReader(new ByteArrayInputStream(bytes))) {
            JsonObject o = reader.readObject();
            JsonValue size = o.get("segmentSize");
            JsonValue contentSize = o.get("contentSize");
            return new BackupHeader(text(o, "backupId"), text(o, "plan"), text(o, "created"),
                    text(o, "compression"), text(o, "keyMode"), text(o, "keyId"),
                    size instanceof JsonNumber n ? n.intValueExact() : 0, text(o, "wrappedKey"), FORMAT_ARCHIVE,
                    text(o, "contentId"), contentSize instanceof JsonNumber c ? c.longValueExact() : -1);
        }
    }

    private static String text(JsonObject o, String name) {
        JsonValue v = o.get(name);
        if (v == null || v == JsonValue.NULL) {
            return null;
        }
        if (v instanceof JsonString s) {
            return s.getString();
        }
        throw new JsonException(name + " is not a string");
    }

    /** A header read from a stream, with the raw bytes it was parsed from (they are the associated data). */
    public record Parsed(BackupHeader header, byte[] rawBytes) {
    }

    /**
     * Reads the header at the start of {@code in}. Anything that is not a Firesafe backup, or is from a newer
     * format, is an integrity error that says so; read failures of the stream itself pass through.
     */
    public static Parsed read(InputStream in, String what) throws IOException {
        DataInputStream data = new DataInputStream(in);
        byte[] fixed = new byte[MAGIC.length + 5];
        try {
            data.readFully(fixed);
        } catch (EOFException e) {
            throw FiresafeException.integrity(what + " is not a Firesafe backup: it is shorter than a header");
        }
        if (!Arrays.equals(Arrays.copyOf(fixed, MAGIC.length), MAGIC)) {
            throw FiresafeException.integrity(what + " is not a Firesafe backup (no FIRESAFE magic at its start)");
        }
        int version = fixed[MAGIC.length];
        if (version != FORMAT_ARCHIVE && version != FORMAT_CHUNKED && version != FORMAT_WAL) {
            throw FiresafeException.integrity(what + " uses backup format " + version
                    + ", which this Firesafe does not know: upgrade Firesafe to read it");
        }
        int length = ByteBuffer.wrap(fixed, MAGIC.length + 1, 4).getInt();
        if (length <= 0 || length > MAX_JSON) {
            throw FiresafeException.integrity(what + " has a damaged header (length " + length + ")");
        }
        byte[] json = new byte[length];
        try {
            data.readFully(json);
        } catch (EOFException e) {
            throw FiresafeException.integrity(what + " is truncated inside its header");
        }
        BackupHeader header;
        try {
            header = fromJson(json).withFormat(version);
        } catch (JsonException | ArithmeticException | ClassCastException e) {
            throw FiresafeException.integrity(what + " has a damaged header (not valid JSON)");
        }
        if (header.backupId == null || header.keyId == null || header.keyMode == null) {
            throw FiresafeException.integrity(what + " has a damaged header (fields missing)");
        }
        byte[] raw = ByteBuffer.allocate(fixed.length + json.length).put(fixed).put(json).array();
        return new Parsed(header, raw);
    }
}
