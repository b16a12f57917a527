package dev.chatops.shared.edge;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * An {@code application/x-www-form-urlencoded} body, as Slack posts slash commands. A field that
 * appears twice makes the body malformed: we never guess which of two values Slack meant.
 */
public final class FormBody {
    private final Map<String, String> fields;

    private FormBody(Map<String, String> fields) {
        this.fields = fields;
    }

    /** Parses {@code body}; throws {@link IllegalArgumentException} when it is not a well-formed form. */
    public static FormBody parse(String body) {
        Map<String, String> fields = new LinkedHashMap<>();
        if (body.isEmpty()) {
            return new FormBody(fields);
        }
        for (String pair : body.split("&", -1)) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            if (fields.putIfAbsent(name, value) != null) {
                throw new IllegalArgumentException("form field repeated: " + name);
            }
        }
        return new FormBody(fields);
    }

    public Optional<String> get(String name) {
        return Optional.ofNullable(fields.get(name));
    }

    public String getOrEmpty(String name) {
        return fields.getOrDefault(name, "");
    }

    public static String encode(Map<String, String> fields) {
        StringBuilder body = new StringBuilder();
        fields.forEach((name, value) -> {
            if (body.length() > 0) {
                body.append('&');
            }
            body.append(URLEncoder.encode(name, StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(value, StandardCharsets.UTF_8));
        });
        return body.toString();
    }

    private static String decode(String value) {
        return URLDecoder.decode(value, StandardCharsets.UTF_8);
    }
}
