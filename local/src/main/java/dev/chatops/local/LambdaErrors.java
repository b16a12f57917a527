package dev.chatops.local;

import dev.chatops.shared.Json;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** Error payloads in the shape Lambda returns them: {@code {"errorType": …, "errorMessage": …}}. */
final class LambdaErrors {
    private LambdaErrors() {
    }

    static byte[] body(String type, String message) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("errorType", type);
        error.put("errorMessage", message);
        return Json.write(error).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The runtime's error report, with the type from its {@code Lambda-Runtime-Function-Error-Type}
     * header when the body lacks one.
     */
    static byte[] withType(byte[] body, String headerType) {
        try {
            Map<String, Object> error = new LinkedHashMap<>(Json.readObject(new String(body, StandardCharsets.UTF_8)));
            if (headerType != null) {
                error.putIfAbsent("errorType", headerType);
            }
            return Json.write(error).getBytes(StandardCharsets.UTF_8);
        } catch (RuntimeException e) {
            return body(headerType == null ? "Runtime.Unknown" : headerType, new String(body, StandardCharsets.UTF_8));
        }
    }

    /** The {@code errorType} of an error payload, or "unknown". */
    static String type(byte[] payload) {
        try {
            return String.valueOf(
                    Json.readObject(new String(payload, StandardCharsets.UTF_8)).getOrDefault("errorType", "unknown"));
        } catch (RuntimeException e) {
            return "unknown";
        }
    }
}
