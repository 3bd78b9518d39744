package dev.firesafe.plan;

import dev.firesafe.core.FiresafeException;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Representer;
import org.yaml.snakeyaml.resolver.Resolver;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads {@code functions/NAME.yaml} into a {@link FunctionFile}. SnakeYAML's safe loader builds plain maps and
 * lists (no YAML tags can create objects), then each section is bound by hand with its known keys, so a typo such
 * as {@code exlude:} is an error naming the key. Not Jackson: its start costs ~0.3 s of every command that reads a
 * function file (docs/benchmarks.md, "Start-up"), and this shape is small. Every scalar stays the text it was
 * written as (YAML 1.1 would turn {@code sslmode: off} into false and {@code 0755} into 493); numbers and booleans
 * are parsed where a field wants one. An empty value or {@code ~} is "not set".
 */
final class FunctionFileReader {

    private static final List<String> ROOT = List.of("plan", "triggers", "wal");
    private static final List<String> PLAN = List.of("name", "sources", "targets", "compression", "retention", "before",
            "after", "full-every");
    private static final List<String> SOURCE = List.of("path", "include", "exclude", "command", "name", "timeout", "env",
            "postgres", "postgres-base");
    private static final List<String> POSTGRES = List.of("host", "port", "user", "password-file", "sslmode", "databases",
            "mode");
    private static final List<String> POSTGRES_BASE = List.of("host", "port", "user", "password-file", "sslmode");
    private static final List<String> RETENTION = List.of("keep-last", "keep-hourly", "keep-daily", "keep-weekly",
            "keep-monthly", "keep-yearly");
    private static final List<String> WAL = List.of("host", "port", "user", "password-file", "sslmode", "mode",
            "slot", "synchronous", "spool", "spool-limit", "partial-every", "rpo");
    private static final List<String> TRIGGER = List.of("type", "every", "cron", "delay", "catch-up", "channel");

    /** A mistake in the file's shape, with the path of the offending node ({@code plan.sources[1].port}). */
    static final class Invalid extends RuntimeException {
        Invalid(String message) {
            super(message);
        }
    }

    private FunctionFileReader() {
    }

    /** Resolves no scalar to a number, boolean or date: only "not set" is recognised. */
    private static final class TextResolver extends Resolver {
        @Override
        protected void addImplicitResolvers() {
            addImplicitResolver(Tag.NULL, NULL, "~nN\0");
            addImplicitResolver(Tag.NULL, EMPTY, null);
        }
    }

    /** The file, or null when it is empty; a usage error naming the file when it is not a valid function file. */
    static FunctionFile read(Path file) {
        Object root;
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            LoaderOptions options = new LoaderOptions();
            root = new Yaml(new SafeConstructor(options), new Representer(new DumperOptions()), new DumperOptions(),
                    options, new TextResolver()).load(in);
        } catch (YAMLException e) {
            throw FiresafeException.usage(file + ": not a valid function file: " + firstLine(e.getMessage()));
        } catch (IOException e) {
            throw FiresafeException.usage(file + ": cannot read: " + e.getMessage());
        }
        try {
            return root == null ? null : functionFile(map(root, "", ROOT));
        } catch (Invalid e) {
            throw FiresafeException.usage(file + ": " + e.getMessage());
        }
    }

    private static FunctionFile functionFile(Map<String, Object> m) {
        Object plan = m.get("plan");
        return new FunctionFile(plan == null ? null : plan(map(plan, "plan", PLAN)),
                list(m.get("triggers"), "triggers", (node, where) -> trigger(map(node, where, TRIGGER), where)),
                m.get("wal") == null ? null : wal(map(m.get("wal"), "wal", WAL)));
    }

    private static FunctionFile.WalSection wal(Map<String, Object> m) {
        String w = "wal";
        return new FunctionFile.WalSection(text(m, "host", w), integer(m, "port", w), text(m, "user", w),
                text(m, "password-file", w), text(m, "sslmode", w), text(m, "mode", w), text(m, "slot", w),
                text(m, "synchronous", w), text(m, "spool", w), text(m, "spool-limit", w), text(m, "partial-every", w),
                text(m, "rpo", w));
    }

    private static FunctionFile.PlanSection plan(Map<String, Object> m) {
        return new FunctionFile.PlanSection(text(m, "name", "plan"),
                list(m.get("sources"), "plan.sources", (node, where) -> source(map(node, where, SOURCE), where)),
                texts(m.get("targets"), "plan.targets", false), text(m, "compression", "plan"),
                m.get("retention") == null ? null : retention(map(m.get("retention"), "plan.retention", RETENTION)),
                texts(m.get("before"), "plan.before", true), texts(m.get("after"), "plan.after", true),
                text(m, "full-every", "plan"));
    }

    private static FunctionFile.SourceSection source(Map<String, Object> m, String where) {
        Map<String, String> env = null;
        if (m.get("env") != null) {
            env = new LinkedHashMap<>();
            for (Map.Entry<String, Object> e : map(m.get("env"), where + ".env", null).entrySet()) {
                env.put(e.getKey(), scalar(e.getValue(), where + ".env." + e.getKey()));
            }
        }
        return new FunctionFile.SourceSection(text(m, "path", where), texts(m.get("include"), where + ".include",
                false), texts(m.get("exclude"), where + ".exclude", false), text(m, "command", where),
                text(m, "name", where), text(m, "timeout", where), env,
                m.get("postgres") == null ? null : postgres(map(m.get("postgres"), where + ".postgres", POSTGRES),
                        where + ".postgres"),
                m.get("postgres-base") == null ? null : postgres(map(m.get("postgres-base"), where
                        + ".postgres-base", POSTGRES_BASE), where + ".postgres-base"));
    }

    private static FunctionFile.PostgresSection postgres(Map<String, Object> m, String where) {
        return new FunctionFile.PostgresSection(text(m, "host", where), integer(m, "port", where),
                text(m, "user", where), text(m, "password-file", where), text(m, "sslmode", where),
                texts(m.get("databases"), where + ".databases", false), text(m, "mode", where));
    }

    private static Retention retention(Map<String, Object> m) {
        String where = "plan.retention";
        return new Retention(integer(m, "keep-last", where), integer(m, "keep-hourly", where),
                integer(m, "keep-daily", where), integer(m, "keep-weekly", where), integer(m, "keep-monthly", where),
                integer(m, "keep-yearly", where));
    }

    private static FunctionFile.TriggerSection trigger(Map<String, Object> m, String where) {
        String catchUp = text(m, "catch-up", where);
        if (catchUp != null && !catchUp.equalsIgnoreCase("true") && !catchUp.equalsIgnoreCase("false")) {
            throw new Invalid(where + ".catch-up must be true or false, not '" + catchUp + "'");
        }
        return new FunctionFile.TriggerSection(text(m, "type", where), text(m, "every", where),
                text(m, "cron", where), text(m, "delay", where), catchUp == null ? null : Boolean.valueOf(catchUp),
                text(m, "channel", where));
    }

    // --- the shapes YAML gives: mappings, sequences, scalars ---

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object node, String where, List<String> known) {
        if (!(node instanceof Map<?, ?> raw)) {
            throw new Invalid((where.isEmpty() ? "the file" : where) + " must be a mapping (key: value lines)");
        }
        for (Object key : raw.keySet()) {
            if (!(key instanceof String)) {
                throw new Invalid((where.isEmpty() ? "" : where + ": ") + "key '" + key + "' is not text");
            }
            if (known != null && !known.contains(key)) {
                throw new Invalid("unknown key '" + key + "'" + (where.isEmpty() ? "" : " in " + where)
                        + " (known: " + known + ")");
            }
        }
        return (Map<String, Object>) raw;
    }

    private interface Element<T> {
        T read(Object node, String where);
    }

    private static <T> List<T> list(Object node, String where, Element<T> element) {
        if (node == null) {
            return null;
        }
        if (!(node instanceof List<?> items)) {
            throw new Invalid(where + " must be a list (lines starting with '- ')");
        }
        List<T> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            out.add(element.read(items.get(i), where + "[" + i + "]"));
        }
        return out;
    }

    /** A list of texts; {@code single}: one text alone counts as a list of one (hooks: {@code before: cmd}). */
    private static List<String> texts(Object node, String where, boolean single) {
        if (single && node != null && !(node instanceof List<?>)) {
            return List.of(scalar(node, where));
        }
        return list(node, where, FunctionFileReader::scalar);
    }

    private static String text(Map<String, Object> m, String key, String where) {
        Object v = m.get(key);
        return v == null ? null : scalar(v, where + "." + key);
    }

    private static String scalar(Object node, String where) {
        if (node instanceof Map<?, ?> || node instanceof List<?>) {
            throw new Invalid(where + " must be a single value, not a " + (node instanceof Map<?, ?> ? "mapping"
                    : "list"));
        }
        return String.valueOf(node);
    }

    private static Integer integer(Map<String, Object> m, String key, String where) {
        Object v = m.get(key);
        if (v == null) {
            return null;
        }
        try {
            return Integer.valueOf(scalar(v, where + "." + key).strip());
        } catch (NumberFormatException e) {
            throw new Invalid(where + "." + key + " must be a whole number, not '" + v + "'");
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
