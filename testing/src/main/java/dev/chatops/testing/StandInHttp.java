package dev.chatops.testing;

import com.fasterxml.jackson.jr.ob.JSON;
import com.sun.net.httpserver.HttpExchange;
import dev.chatops.testing.GitLabStandIn.User;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The HTTP plumbing shared by the parts of the {@link GitLabStandIn}: a request as the API handlers
 * see it, who makes it, the reply, and GitLab's shapes of JSON, error bodies and offset pagination.
 */
final class StandInHttp {
    private static final JSON JSON_OUT = JSON.std.with(JSON.Feature.WRITE_NULL_PROPERTIES);

    private StandInHttp() {
    }

    /** A request: path segments percent-decoded, query and body parameters merged (see {@link #params}). */
    record Request(String method, List<String> path, Map<String, String> params, HttpExchange exchange) {
        String param(String name) {
            String value = params.get(name);
            return value == null || value.isEmpty() ? null : value;
        }

        String header(String name) {
            return exchange.getRequestHeaders().getFirst(name);
        }
    }

    /** Who calls the API: an admin token (user may be null if no admin user is seeded) or an OAuth user. */
    record Caller(boolean admin, User user, boolean readOnly) {
    }

    record Reply(int status, String contentType, Map<String, String> headers, byte[] body) {
    }

    static Map<String, Object> message(String message) {
        return Map.of("message", message);
    }

    static Reply json(int status, Object body) {
        try {
            return new Reply(status, "application/json", Map.of(), JSON_OUT.asBytes(body));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Reply html(int status, String html) {
        return new Reply(status, "text/html; charset=utf-8", Map.of(), html.getBytes(StandardCharsets.UTF_8));
    }

    static Reply errorPage(int status, String message) {
        return html(status, "<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\">"
                + "<title>GitLab stand-in: authorization error</title></head>\n<body>\n"
                + "<h1>An error has occurred</h1>\n<p>" + escape(message) + "</p>\n</body>\n</html>\n");
    }

    /** Pagination as GitLab's offset pagination: per_page (default 20, at most 100), page, X-* headers. */
    static Reply page(Request r, List<Object> items) {
        int perPage = Math.max(1, Math.min(100, parseInt(r.param("per_page"), 20)));
        int page = Math.max(1, parseInt(r.param("page"), 1));
        int total = items.size();
        int totalPages = Math.max(1, (total + perPage - 1) / perPage);
        int from = (int) Math.min(total, (long) (page - 1) * perPage);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("X-Total", Integer.toString(total));
        headers.put("X-Total-Pages", Integer.toString(totalPages));
        headers.put("X-Page", Integer.toString(page));
        headers.put("X-Per-Page", Integer.toString(perPage));
        headers.put("X-Next-Page", page < totalPages ? Integer.toString(page + 1) : "");
        headers.put("X-Prev-Page", page > 1 ? Integer.toString(page - 1) : "");
        Reply reply = json(200, items.subList(from, Math.min(total, from + perPage)));
        return new Reply(reply.status(), reply.contentType(), headers, reply.body());
    }

    /** Path segments, each percent-decoded ({@code ops%2Fchatops} is one segment, {@code ops/chatops}). */
    static List<String> segments(String rawPath) {
        return Arrays.stream(rawPath.split("/")).filter(s -> !s.isEmpty())
                .map(s -> URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8)).toList();
    }

    /** Query parameters, then the form or JSON body's, which win. */
    static Map<String, String> params(String rawQuery, byte[] rawBody, String contentType) throws IOException {
        Map<String, String> params = new LinkedHashMap<>();
        parseForm(rawQuery, params);
        String body = new String(rawBody, StandardCharsets.UTF_8);
        if (contentType.toLowerCase(Locale.ROOT).startsWith("application/json") && !body.isBlank()) {
            JSON.std.mapFrom(body).forEach((k, v) -> {
                if (v != null) {
                    params.put(k, v.toString());
                }
            });
        } else {
            parseForm(body, params);
        }
        return params;
    }

    private static void parseForm(String raw, Map<String, String> into) {
        if (raw == null || raw.isEmpty()) {
            return;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            if (!name.isEmpty()) {
                into.put(name, value);
            }
        }
    }

    static Long parseId(String raw) {
        try {
            return raw != null && raw.chars().allMatch(Character::isDigit) ? Long.parseLong(raw) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static int parseInt(String raw, int fallback) {
        try {
            return raw == null ? fallback : Integer.parseInt(raw);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
                .replace("'", "&#39;");
    }
}
