package dev.chatops.gateway;

import dev.chatops.shared.Json;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The few fields of an HTTP API event (payload format 2.0) the gateway reads, and the response it
 * returns in that format. Read from the invocation's stream with the JSON library the gateway
 * already loads rather than by Lambda's typed-event deserialiser, which costs a cold start about
 * 170 ms of class loading (docs/performance.md) to fill fields the gateway never reads.
 *
 * @param requestId API Gateway's id of the request ({@code requestContext.requestId}), or null
 * @param routeKey the route API Gateway matched ({@code POST /slack/commands}), or null
 * @param rawPath the path as requested, or null
 * @param headers the headers as API Gateway passes them (lower-case names, repeated ones joined by commas)
 * @param body the body as given, or null; base64 when {@code base64}
 * @param base64 whether API Gateway encoded the body
 */
record HttpEvent(String requestId, String routeKey, String rawPath, Map<String, String> headers, String body,
                 boolean base64) {

    /** The event in {@code input}; an event that is no JSON object is refused with IllegalArgumentException. */
    static HttpEvent read(InputStream input) {
        Map<String, Object> json = Json.readObject(input);
        if (json == null) {
            throw new IllegalArgumentException("not a JSON object");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        if (json.get("headers") instanceof Map<?, ?> given) {
            given.forEach((name, value) -> {
                if (name instanceof String key && value instanceof String text) {
                    headers.put(key, text);
                }
            });
        }
        String requestId = json.get("requestContext") instanceof Map<?, ?> context
                && context.get("requestId") instanceof String id ? id : null;
        return new HttpEvent(requestId, text(json, "routeKey"), text(json, "rawPath"), headers, text(json, "body"),
                Boolean.TRUE.equals(json.get("isBase64Encoded")));
    }

    /** The body's bytes: none when there is no body; null when it claims base64 and is not. */
    byte[] bodyBytes() {
        if (body == null) {
            return new byte[0];
        }
        if (!base64) {
            return body.getBytes(StandardCharsets.UTF_8);
        }
        try {
            return Base64.getDecoder().decode(body);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** A response in payload format 2.0: the status, a JSON content type when there is a body, the body. */
    static byte[] response(int status, String body) {
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("statusCode", status);
        response.put("headers", body.isEmpty() ? Map.of()
                : Map.of("content-type", "application/json; charset=utf-8"));
        response.put("body", body);
        response.put("isBase64Encoded", false);
        return Json.write(response).getBytes(StandardCharsets.UTF_8);
    }

    private static String text(Map<String, Object> json, String name) {
        return json.get(name) instanceof String value ? value : null;
    }
}
