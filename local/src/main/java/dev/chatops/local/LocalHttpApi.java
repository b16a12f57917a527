package dev.chatops.local;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.chatops.shared.Json;
import dev.chatops.shared.Log;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;

/**
 * A loopback stand-in for the HTTP API: each route of template.yaml's {@code HttpApi} events
 * becomes the payload-2.0 event API Gateway would send (lower-case header names, repeated headers
 * joined with commas, the body in base64) and goes to the route's function (its {@code live}
 * alias, in an execution environment of its own), whose response becomes the HTTP answer; a
 * function error becomes API Gateway's 500. A route with a throttle ({@link RouteThrottles}) whose
 * bucket is empty is answered API Gateway's 429 and its function is not invoked.
 */
final class LocalHttpApi implements AutoCloseable {
    private final LambdaFunctions functions;
    private final Map<String, String> routes;
    private final Map<String, TokenBucket> throttles;
    private final HttpServer server;

    /** {@code throttles}: route key → its bucket, for the routes that have one. */
    LocalHttpApi(LambdaFunctions functions, Map<String, String> routes, Map<String, TokenBucket> throttles, int port) {
        this.functions = functions;
        this.routes = routes;
        this.throttles = Map.copyOf(throttles);
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot listen on 127.0.0.1:" + port + " (set CHATOPS_PORT to another port)", e);
        }
        server.setExecutor(Executors.newFixedThreadPool(16, r -> {
            Thread thread = new Thread(r, "local-http-api");
            thread.setDaemon(true);
            return thread;
        }));
        server.createContext("/", this::handle);
        server.start();
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
            String path = exchange.getRequestURI().getRawPath();
            String function = routes.get(method + " " + path);
            if (function == null) {
                byte[] body = "{\"message\":\"Not Found\"}".getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(404, body.length);
                exchange.getResponseBody().write(body);
                return;
            }
            TokenBucket throttle = throttles.get(method + " " + path);
            if (throttle != null && !throttle.take()) {
                // What API Gateway answers past a route's throttle; the integration is not called.
                byte[] throttled = "{\"message\":\"Too Many Requests\"}".getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(429, throttled.length);
                exchange.getResponseBody().write(throttled);
                return;
            }
            byte[] body = exchange.getRequestBody().readAllBytes();
            String event = Json.write(event(exchange, method, path, body));
            LambdaContainer.Result result = functions.invoke(function, event.getBytes(StandardCharsets.UTF_8),
                    functions.function(function).arn() + ":live");
            Map<String, Object> response;
            try {
                if (result.failed()) {
                    throw new IllegalStateException(LambdaErrors.type(result.payload()));
                }
                response = Json.readObject(new String(result.payload(), StandardCharsets.UTF_8));
            } catch (RuntimeException e) {
                // What API Gateway answers when the integration fails or answers nonsense.
                Log.warn(
                        "local.http_api.function_failed",
                        "function",
                        function,
                        "error",
                        String.valueOf(e.getMessage()));
                byte[] failed = "{\"message\":\"Internal Server Error\"}".getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(500, failed.length);
                exchange.getResponseBody().write(failed);
                return;
            }
            if (response.get("headers") instanceof Map<?, ?> headers) {
                headers.forEach((k, v) -> exchange.getResponseHeaders().add(String.valueOf(k), String.valueOf(v)));
            }
            int status = ((Number) response.getOrDefault("statusCode", 200)).intValue();
            Object responseBody = response.get("body");
            byte[] bytes = responseBody == null ? new byte[0]
                    : Boolean.TRUE.equals(response.get("isBase64Encoded"))
                    ? Base64.getDecoder().decode(String.valueOf(responseBody))
                    : String.valueOf(responseBody).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                exchange.getResponseBody().write(bytes);
            }
        }
    }

    private static Map<String, Object> event(HttpExchange exchange, String method, String path, byte[] body) {
        Map<String, String> headers = new LinkedHashMap<>();
        exchange.getRequestHeaders().forEach((name, values) -> {
            String key = name.toLowerCase(Locale.ROOT);
            List<String> all = new ArrayList<>(values);
            String previous = headers.get(key);
            headers.put(key, previous == null ? String.join(",", all) : previous + "," + String.join(",", all));
        });
        headers.putIfAbsent("x-forwarded-proto", "http");
        Instant now = Instant.now();
        String query = exchange.getRequestURI().getRawQuery();
        Map<String, Object> http = new LinkedHashMap<>();
        http.put("method", method);
        http.put("path", path);
        http.put("protocol", "HTTP/1.1");
        http.put("sourceIp", exchange.getRemoteAddress().getAddress().getHostAddress());
        http.put("userAgent", headers.getOrDefault("user-agent", ""));
        Map<String, Object> context = new LinkedHashMap<>();
        context.put("accountId", "123456789012");
        context.put("apiId", "local");
        context.put("domainName", "127.0.0.1");
        context.put("domainPrefix", "local");
        context.put("http", http);
        context.put("requestId", UUID.randomUUID().toString());
        context.put("routeKey", method + " " + path);
        context.put("stage", "$default");
        context.put("time", now.toString());
        context.put("timeEpoch", now.toEpochMilli());
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("version", "2.0");
        event.put("routeKey", method + " " + path);
        event.put("rawPath", path);
        event.put("rawQueryString", query == null ? "" : query);
        event.put("headers", headers);
        event.put("requestContext", context);
        event.put("body", Base64.getEncoder().encodeToString(body));
        event.put("isBase64Encoded", true);
        return event;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
