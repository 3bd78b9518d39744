package dev.firesafe.trigger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Map;
import java.util.function.Function;

/**
 * The CloudEvents 1.0 attributes a backup request needs: {@code specversion}, {@code id}, {@code source},
 * {@code type} (required by the spec) and {@code subject}, the function or plan to run. {@code data} is kept for
 * the log and otherwise ignored. Structured mode is the JSON object itself; binary mode carries the attributes
 * as {@code ce-*} headers.
 */
public record CloudEvent(String id, String source, String type, String subject, JsonNode data) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A request that is not a usable CloudEvent; the message says why, without echoing the payload. */
    public static final class Malformed extends RuntimeException {
        public Malformed(String reason) {
            super(reason);
        }
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
        String version = attribute.apply("specversion");
        if (!"1.0".equals(version)) {
            throw new Malformed(version == null ? "no specversion (want 1.0)" : "specversion '" + version
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
