package dev.chatops.shared.gitlab;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The HTTP core of {@link GitLabClient}: one request with the token (and {@code Sudo}), reads tried
 * again for a passing reason within {@value #RETRY_BUDGET_MILLIS} ms, GitLab's errors as a
 * {@link GitLabException} with GitLab's own message, and JSON in and out.
 */
final class GitLabHttp {
    static final long RETRY_BUDGET_MILLIS = 5_000;
    private static final long[] BACKOFF_MILLIS = {200, 800};
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();

    private final String baseUrl;
    private final Supplier<String> token;
    private final Long sudo;
    private final Duration timeout;

    GitLabHttp(String baseUrl, Supplier<String> token, Long sudo, Duration timeout) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.token = token;
        this.sudo = sudo;
        this.timeout = timeout;
    }

    /** The same instance and token, acting as the GitLab user {@code userId}. */
    GitLabHttp as(long userId) {
        return new GitLabHttp(baseUrl, token, userId, timeout);
    }

    String baseUrl() {
        return baseUrl;
    }

    Duration timeout() {
        return timeout;
    }

    /** {@code GET} of one object; empty when GitLab answers 404. */
    Optional<Map<String, Object>> findObject(String path) {
        try {
            return Optional.of(getObject(path));
        } catch (GitLabException e) {
            if (e.notFound()) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** {@code POST} of a JSON body, with the token; the object GitLab answers. */
    Map<String, Object> postJson(String path, Object body) {
        return map(send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json(body))), true));
    }

    /** {@code POST} of a form-encoded body, with the token; the object GitLab answers. */
    Map<String, Object> postForm(String path, String form) {
        return map(send(request(path).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)), true));
    }

    /** {@code PUT} of a JSON body, with the token; the object GitLab answers. */
    Map<String, Object> putJson(String path, String json) {
        return map(send(request(path).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json)), true));
    }

    /** {@code DELETE}, with the token. */
    void delete(String path) {
        send(request(path).DELETE(), true);
    }

    Map<String, Object> getObject(String path) {
        return map(send(request("/api/v4" + path).GET(), true));
    }

    @SuppressWarnings("unchecked")
    List<Object> getList(String path) {
        Object body = send(request("/api/v4" + path).GET(), true);
        if (!(body instanceof List<?> list)) {
            throw new GitLabException(502, "GitLab answered " + path.replaceAll("\\?.*", "") + " with no list");
        }
        return (List<Object>) list;
    }

    HttpRequest.Builder request(String path) {
        String full = path.startsWith("/api/v4") || path.startsWith("/oauth") ? path : "/api/v4" + path;
        return HttpRequest.newBuilder(URI.create(baseUrl + full)).timeout(timeout).header("Accept", "application/json");
    }

    Object send(HttpRequest.Builder builder, boolean withToken) {
        if (withToken) {
            builder.header("PRIVATE-TOKEN", token.get());
            if (sudo != null) {
                builder.header("Sudo", Long.toString(sudo));
            }
        }
        HttpRequest request = builder.build();
        boolean read = request.method().equals("GET");
        long started = System.nanoTime();
        for (int attempt = 0; ; attempt++) {
            try {
                return sendOnce(request);
            } catch (GitLabException e) {
                long elapsed = (System.nanoTime() - started) / 1_000_000;
                if (!read || !e.transientFailure() || attempt >= BACKOFF_MILLIS.length
                        || elapsed >= RETRY_BUDGET_MILLIS) {
                    throw e;
                }
                try {
                    Thread.sleep(BACKOFF_MILLIS[attempt]);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private Object sendOnce(HttpRequest request) {
        HttpResponse<String> response;
        try {
            response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (HttpTimeoutException e) {
            throw new GitLabException("GitLab at " + baseUrl + " did not answer within " + timeout.toSeconds()
                    + " s", e);
        } catch (IOException e) {
            throw new GitLabException("GitLab at " + baseUrl + " could not be reached", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GitLabException("interrupted while calling GitLab", e);
        }
        int status = response.statusCode();
        if (status == 204 || response.body().isEmpty()) {
            if (status >= 400) {
                throw new GitLabException(status, "GitLab answered " + status);
            }
            return Map.of();
        }
        Object body;
        try {
            body = JSON.std.anyFrom(response.body());
        } catch (IOException e) {
            throw new GitLabException(status >= 400 ? status : 502,
                    "GitLab answered " + status + " with something that is not JSON");
        }
        if (status >= 400) {
            throw new GitLabException(status, messageOf(body, status));
        }
        return body;
    }

    private static String messageOf(Object body, int status) {
        if (body instanceof Map<?, ?> map) {
            Object message = map.containsKey("message") ? map.get("message") : map.get("error_description");
            if (message == null) {
                message = map.get("error");
            }
            if (message != null) {
                return String.valueOf(message);
            }
        }
        return "GitLab answered " + status;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object value) {
        if (!(value instanceof Map<?, ?>)) {
            throw new GitLabException(502, "GitLab answered with something that is not an object");
        }
        return (Map<String, Object>) value;
    }

    private static String json(Object value) {
        try {
            return JSON.std.asString(value);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
