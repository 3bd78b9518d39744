package dev.firesafe.archive;

import com.fasterxml.jackson.annotation.JsonInclude;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.stream.JsonGenerator;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The last entry of every archive ({@value #ENTRY_NAME}): what the backup holds and the SHA-256 of every file as
 * it was stored. Restore and verify check each file against it; an entry missing from either side is an error.
 *
 * <p>Read and written with JSON-P (Parsson), which the backup header already loads: Jackson's ~550 classes cost
 * ~0.2 s of CPU that a 2-core backup or restore takes from its pipeline, and a small backup waited for them. The
 * text is the one Jackson wrote (same names and order, absent values left out), so older manifests still read;
 * unknown names are ignored. {@code @JsonInclude} stays for the HTTP endpoints, which serialize with Jackson.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class Manifest {

    public static final String ENTRY_NAME = ".firesafe/manifest.json";
    public static final int FORMAT = 1;

    public int format = FORMAT;
    public String backupId;
    public String plan;
    public String host;
    public String started;
    public String finished;
    public String firesafeVersion;
    public String compression;
    public List<SourceRoot> sources = new ArrayList<>();
    public List<Entry> entries = new ArrayList<>();
    public List<Warning> warnings = new ArrayList<>();
    public long files;
    public long bytes;

    /** Where a top-level folder of the archive came from. */
    public record SourceRoot(String label, String path) {
    }

    /**
     * One stored entry. {@code sha256} and {@code size} for files and streams, {@code target} for symlinks.
     * A {@value #STREAM} is one logical file (a command's output) stored as {@code parts} consecutive tar entries
     * {@code PATH.part000001...}; size and SHA-256 are of the whole reassembled stream.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Entry(String path, String type, Long size, String mode, String mtime, String sha256,
                        String target, Integer parts) {
        public static final String FILE = "file";
        public static final String DIR = "dir";
        public static final String SYMLINK = "symlink";
        public static final String STREAM = "stream";

        public Entry(String path, String type, Long size, String mode, String mtime, String sha256, String target) {
            this(path, type, size, mode, mtime, sha256, target, null);
        }
    }

    /** Something the backup noticed and got past: a file that changed or vanished while read, a skipped socket. */
    public record Warning(String path, String problem) {
    }

    public byte[] toJson() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 + entries.size() * 160);
        try (JsonGenerator json = Json.createGenerator(out)) {
            json.writeStartObject();
            json.write("format", format);
            writeIfSet(json, "backupId", backupId);
            writeIfSet(json, "plan", plan);
            writeIfSet(json, "host", host);
            writeIfSet(json, "started", started);
            writeIfSet(json, "finished", finished);
            writeIfSet(json, "firesafeVersion", firesafeVersion);
            writeIfSet(json, "compression", compression);
            json.writeStartArray("sources");
            for (SourceRoot r : sources) {
                json.writeStartObject();
                writeIfSet(json, "label", r.label());
                writeIfSet(json, "path", r.path());
                json.writeEnd();
            }
            json.writeEnd();
            json.writeStartArray("entries");
            for (Entry e : entries) {
                json.writeStartObject();
                writeIfSet(json, "path", e.path());
                writeIfSet(json, "type", e.type());
                if (e.size() != null) {
                    json.write("size", e.size());
                }
                writeIfSet(json, "mode", e.mode());
                writeIfSet(json, "mtime", e.mtime());
                writeIfSet(json, "sha256", e.sha256());
                writeIfSet(json, "target", e.target());
                if (e.parts() != null) {
                    json.write("parts", e.parts());
                }
                json.writeEnd();
            }
            json.writeEnd();
            json.writeStartArray("warnings");
            for (Warning w : warnings) {
                json.writeStartObject();
                writeIfSet(json, "path", w.path());
                writeIfSet(json, "problem", w.problem());
                json.writeEnd();
            }
            json.writeEnd();
            json.write("files", files);
            json.write("bytes", bytes);
            json.writeEnd();
        }
        return out.toByteArray();
    }

    private static void writeIfSet(JsonGenerator json, String name, String value) {
        if (value != null) {
            json.write(name, value);
        }
    }

    /** Reads a manifest; anything that is not the JSON of one is an IOException naming what is wrong. */
    public static Manifest fromJson(byte[] bytes) throws IOException {
        try (JsonReader reader = Json.createReader(new ByteArrayInputStream(bytes))) {
            JsonObject o = reader.readObject();
            Manifest m = new Manifest();
            m.format = (int) number(o, "format", FORMAT);
            m.backupId = text(o, "backupId");
            m.plan = text(o, "plan");
            m.host = text(o, "host");
            m.started = text(o, "started");
            m.finished = text(o, "finished");
            m.firesafeVersion = text(o, "firesafeVersion");
            m.compression = text(o, "compression");
            m.sources = list(o, "sources", r -> new SourceRoot(text(r, "label"), text(r, "path")));
            m.entries = list(o, "entries", e -> new Entry(text(e, "path"), text(e, "type"),
                    e.containsKey("size") && !e.isNull("size") ? number(e, "size", 0) : null, text(e, "mode"),
                    text(e, "mtime"), text(e, "sha256"), text(e, "target"),
                    e.containsKey("parts") && !e.isNull("parts") ? (int) number(e, "parts", 0) : null));
            m.warnings = list(o, "warnings", w -> new Warning(text(w, "path"), text(w, "problem")));
            m.files = number(o, "files", 0);
            m.bytes = number(o, "bytes", 0);
            return m;
        } catch (JsonException | ClassCastException | ArithmeticException e) {
            throw new IOException("manifest is not valid: " + e.getMessage(), e);
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
        throw new JsonException("'" + name + "' is not text");
    }

    private static long number(JsonObject o, String name, long absent) {
        JsonValue v = o.get(name);
        if (v == null || v == JsonValue.NULL) {
            return absent;
        }
        if (v instanceof JsonNumber n) {
            return n.longValueExact();
        }
        throw new JsonException("'" + name + "' is not a number");
    }

    private static <T> List<T> list(JsonObject o, String name, Function<JsonObject, T> item) {
        List<T> out = new ArrayList<>();
        JsonValue v = o.get(name);
        if (v == null || v == JsonValue.NULL) {
            return out;
        }
        if (!(v instanceof JsonArray array)) {
            throw new JsonException("'" + name + "' is not a list");
        }
        for (JsonValue element : array) {
            if (!(element instanceof JsonObject object)) {
                throw new JsonException("an item of '" + name + "' is not an object");
            }
            out.add(item.apply(object));
        }
        return out;
    }
}
