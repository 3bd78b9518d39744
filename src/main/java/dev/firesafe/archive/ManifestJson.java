package dev.firesafe.archive;

import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.stream.JsonGenerator;
import jakarta.json.stream.JsonParser;
import jakarta.json.stream.JsonParser.Event;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The manifest's JSON, with JSON-P (Parsson), which the backup header already loads: Jackson's ~550 classes cost
 * ~0.2 s of CPU that a 2-core backup or restore takes from its pipeline. The text is what earlier versions wrote
 * with Jackson (same names, order, absent values left out; Parsson writes control-character escapes in lower-case
 * hex where Jackson wrote upper case, the same JSON). Reading streams: objects are built as the parser goes, never
 * a tree of the whole document first, so a manifest of a million entries needs no more heap than the entries
 * themselves. Unknown names are skipped; a value of the wrong type is an error.
 */
final class ManifestJson {

    private ManifestJson() {
    }

    static byte[] write(Manifest m) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 + m.entries.size() * 160);
        try (JsonGenerator json = Json.createGenerator(out)) {
            json.writeStartObject();
            json.write("format", m.format);
            writeIfSet(json, "backupId", m.backupId);
            writeIfSet(json, "plan", m.plan);
            writeIfSet(json, "host", m.host);
            writeIfSet(json, "started", m.started);
            writeIfSet(json, "finished", m.finished);
            writeIfSet(json, "firesafeVersion", m.firesafeVersion);
            writeIfSet(json, "compression", m.compression);
            json.writeStartArray("sources");
            for (Manifest.SourceRoot r : m.sources) {
                json.writeStartObject();
                writeIfSet(json, "label", r.label());
                writeIfSet(json, "path", r.path());
                json.writeEnd();
            }
            json.writeEnd();
            json.writeStartArray("entries");
            for (Manifest.Entry e : m.entries) {
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
            for (Manifest.Warning w : m.warnings) {
                json.writeStartObject();
                writeIfSet(json, "path", w.path());
                writeIfSet(json, "problem", w.problem());
                json.writeEnd();
            }
            json.writeEnd();
            json.write("files", m.files);
            json.write("bytes", m.bytes);
            json.writeEnd();
        }
        return out.toByteArray();
    }

    private static void writeIfSet(JsonGenerator json, String name, String value) {
        if (value != null) {
            json.write(name, value);
        }
    }

    static Manifest read(byte[] bytes) throws IOException {
        try (JsonParser p = Json.createParser(new ByteArrayInputStream(bytes))) {
            if (!p.hasNext() || p.next() != Event.START_OBJECT) {
                throw new JsonException("not an object");
            }
            Manifest m = new Manifest();
            forEachField(p, name -> {
                switch (name) {
                    case "format" -> m.format = intNumber(p, name, Manifest.FORMAT);
                    case "backupId" -> m.backupId = text(p, name);
                    case "plan" -> m.plan = text(p, name);
                    case "host" -> m.host = text(p, name);
                    case "started" -> m.started = text(p, name);
                    case "finished" -> m.finished = text(p, name);
                    case "firesafeVersion" -> m.firesafeVersion = text(p, name);
                    case "compression" -> m.compression = text(p, name);
                    case "sources" -> m.sources = list(p, name, () -> source(p));
                    case "entries" -> m.entries = list(p, name, () -> entry(p));
                    case "warnings" -> m.warnings = list(p, name, () -> warning(p));
                    case "files" -> m.files = number(p, name, 0);
                    case "bytes" -> m.bytes = number(p, name, 0);
                    default -> skip(p);
                }
            });
            return m;
        } catch (JsonException | ArithmeticException | NumberFormatException | UnsupportedOperationException
                 | NoSuchElementException | IllegalStateException e) {
            throw new IOException("manifest is not valid: " + e.getMessage(), e);
        }
    }

    private static Manifest.SourceRoot source(JsonParser p) {
        String[] f = new String[2];
        forEachField(p, name -> {
            switch (name) {
                case "label" -> f[0] = text(p, name);
                case "path" -> f[1] = text(p, name);
                default -> skip(p);
            }
        });
        return new Manifest.SourceRoot(f[0], f[1]);
    }

    private static Manifest.Entry entry(JsonParser p) {
        String[] f = new String[6];
        Long[] size = new Long[1];
        Integer[] parts = new Integer[1];
        forEachField(p, name -> {
            switch (name) {
                case "path" -> f[0] = text(p, name);
                case "type" -> f[1] = text(p, name);
                case "size" -> size[0] = numberOrNull(p, name);
                case "mode" -> f[2] = text(p, name);
                case "mtime" -> f[3] = text(p, name);
                case "sha256" -> f[4] = text(p, name);
                case "target" -> f[5] = text(p, name);
                case "parts" -> {
                    Long n = numberOrNull(p, name);
                    parts[0] = n == null ? null : Math.toIntExact(n);
                }
                default -> skip(p);
            }
        });
        return new Manifest.Entry(f[0], f[1], size[0], f[2], f[3], f[4], f[5], parts[0]);
    }

    private static Manifest.Warning warning(JsonParser p) {
        String[] f = new String[2];
        forEachField(p, name -> {
            switch (name) {
                case "path" -> f[0] = text(p, name);
                case "problem" -> f[1] = text(p, name);
                default -> skip(p);
            }
        });
        return new Manifest.Warning(f[0], f[1]);
    }

    /** Calls {@code field} with each name of the object whose START_OBJECT was just read; it reads the value. */
    private static void forEachField(JsonParser p, Consumer<String> field) {
        Event e;
        while ((e = p.next()) == Event.KEY_NAME) {
            field.accept(p.getString());
        }
        if (e != Event.END_OBJECT) {
            throw new JsonException("unexpected " + e + " in an object");
        }
    }

    private static <T> List<T> list(JsonParser p, String name, Supplier<T> item) {
        List<T> out = new ArrayList<>();
        Event e = p.next();
        if (e == Event.VALUE_NULL) {
            return out;
        }
        if (e != Event.START_ARRAY) {
            throw new JsonException("'" + name + "' is not a list");
        }
        while ((e = p.next()) == Event.START_OBJECT) {
            out.add(item.get());
        }
        if (e != Event.END_ARRAY) {
            throw new JsonException("an item of '" + name + "' is not an object");
        }
        return out;
    }

    private static String text(JsonParser p, String name) {
        Event e = p.next();
        if (e == Event.VALUE_NULL) {
            return null;
        }
        if (e != Event.VALUE_STRING) {
            throw new JsonException("'" + name + "' is not text");
        }
        return p.getString();
    }

    private static Long numberOrNull(JsonParser p, String name) {
        Event e = p.next();
        if (e == Event.VALUE_NULL) {
            return null;
        }
        if (e != Event.VALUE_NUMBER) {
            throw new JsonException("'" + name + "' is not a number");
        }
        return p.getBigDecimal().longValueExact();
    }

    private static long number(JsonParser p, String name, long ifNull) {
        Long n = numberOrNull(p, name);
        return n == null ? ifNull : n;
    }

    private static int intNumber(JsonParser p, String name, int ifNull) {
        return Math.toIntExact(number(p, name, ifNull));
    }

    /** Skips the value of a name this version does not know. */
    private static void skip(JsonParser p) {
        Event e = p.next();
        if (e == Event.START_OBJECT) {
            p.skipObject();
        } else if (e == Event.START_ARRAY) {
            p.skipArray();
        }
    }
}
