package dev.firesafe.host.trigger;

import dev.firesafe.host.functions.FunctionCatalog;
import dev.firesafe.plan.FunctionDefinition;
import dev.firesafe.plan.TriggerSpec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.firesafe.core.IoMessages;

import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The CloudEvents 1.0 attributes a backup request needs: {@code specversion}, {@code id}, {@code source},
 * {@code type} (required by the spec) and {@code subject}, the function or plan to run. {@code data} is kept for
 * the log and otherwise ignored. Structured mode is the JSON object itself; binary mode carries the attributes
 * as {@code ce-*} headers.
 */
public record CloudEvent(String id, String source, String type, String subject, JsonNode data) {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] ATTRIBUTES = {"specversion", "id", "source", "type", "subject"};
    /** The characters CloudEvents 1.0 forbids in strings ("Type System"); in a log line they would forge others. */
    private static final Pattern CONTROL = Pattern.compile("[\\x00-\\x1f\\x7f-\\x9f]");
    private static final int SHOWN = 200;

    /** A request that is not a usable CloudEvent; the message says why, without echoing the payload. */
    public static final class Malformed extends RuntimeException {
        public Malformed(String reason) {
            super(reason);
        }
    }

    /**
     * The function or plan an event's subject names, if it declares a {@code kind} trigger; else why not, as a
     * {@link Malformed} (the request can never succeed as sent).
     */
    public static FunctionDefinition function(FunctionCatalog catalog, String subject, TriggerSpec.Kind kind) {
        FunctionDefinition f = catalog.byFunctionOrPlan(subject).orElseThrow(() -> new Malformed(
                "subject '" + shown(subject) + "' names no loaded function or plan"));
        if (!f.accepts(kind)) {
            throw new Malformed("function '" + f.name() + "' has no " + kind.name().toLowerCase(
                    java.util.Locale.ROOT) + " trigger");
        }
        return f;
    }

    public static CloudEvent structured(String json) {
        JsonNode node;
        try {
            node = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new Malformed("not JSON (" + e.getOriginalMessage() + ")");
        }
        if (!(node instanceof ObjectNode)) {
            throw new Malformed("not a JSON object");
        }
        return of(name -> node.hasNonNull(name) && node.get(name).isValueNode() ? node.get(name).asText() : null,
                node.get("data"));
    }

    /** Binary mode: {@code header} answers an attribute name ({@code id}) with its {@code ce-id} header. */
    public static CloudEvent binary(Function<String, String> header, String body) {
        JsonNode data = null;
        if (body != null && !body.isBlank()) {
            try {
                data = JSON.readTree(body);
            } catch (JsonProcessingException e) {
                data = JSON.getNodeFactory().textNode(body);
            }
        }
        return of(name -> header.apply("ce-" + name), data);
    }

    private static CloudEvent of(Function<String, String> attribute, JsonNode data) {
        for (String name : ATTRIBUTES) {
            String value = attribute.apply(name);
            if (value != null && CONTROL.matcher(value).find()) {
                throw new Malformed("attribute '" + name + "' holds a control character, which CloudEvents forbids");
            }
        }
        String version = attribute.apply("specversion");
        if (!"1.0".equals(version)) {
            throw new Malformed(version == null ? "no specversion (want 1.0)" : "specversion '" + shown(version)
                    + "' is not 1.0");
        }
        for (String required : new String[] {"id", "source", "type", "subject"}) {
            String value = attribute.apply(required);
            if (value == null || value.isBlank()) {
                throw new Malformed("attribute '" + required + "' is missing"
                        + (required.equals("subject") ? " (it names the function or plan to run)" : ""));
            }
        }
        return new CloudEvent(attribute.apply("id"), attribute.apply("source"), attribute.apply("type"),
                attribute.apply("subject"), data);
    }

    /** An attribute as messages and logs show it: a sender may make it as long as the body allows. */
    static String shown(String value) {
        return IoMessages.shorten(value, SHOWN);
    }

    /** "ID (TYPE from SOURCE)", for the log line of an accepted event. */
    public String describe() {
        return shown(id) + " (" + shown(type) + " from " + shown(source) + ")";
    }

    /** Any value as JSON text. */
    public static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A structured-mode event as JSON text. */
    public static String toJson(String id, String source, String type, String subject, Object data) {
        Map<String, Object> event = new java.util.LinkedHashMap<>();
        event.put("specversion", "1.0");
        event.put("id", id);
        event.put("source", source);
        event.put("type", type);
        event.put("subject", subject);
        event.put("time", java.time.Instant.now().toString());
        event.put("datacontenttype", "application/json");
        event.put("data", data);
        return json(event);
    }
}
