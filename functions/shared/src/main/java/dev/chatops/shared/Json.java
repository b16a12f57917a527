package dev.chatops.shared;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * JSON for the edge: jackson-jr maps and lists. jackson-jr rather than jackson-databind because
 * the gateway's cold start is a product feature, and jackson-jr starts in a fraction of the time.
 */
public final class Json {
    /** Null values are written: an option given without '=' is a null value, and must survive the trip. */
    private static final JSON JSON_STD = JSON.std.with(JSON.Feature.WRITE_NULL_PROPERTIES);

    private Json() {
    }

    public static String write(Object value) {
        try {
            return JSON_STD.asString(value);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write JSON", e);
        }
    }

    public static Map<String, Object> readObject(String json) {
        try {
            return JSON_STD.mapFrom(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("not a JSON object", e);
        }
    }

    public static Map<String, Object> readObject(InputStream json) {
        try {
            return JSON_STD.mapFrom(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("not a JSON object", e);
        }
    }
}
