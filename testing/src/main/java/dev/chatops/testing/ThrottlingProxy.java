package dev.chatops.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback proxy in front of moto that answers DynamoDB's throttling error
 * ({@code ProvisionedThroughputExceededException}, 400) to the next N requests, then passes
 * requests through: moto cannot throttle, DynamoDB does.
 */
public final class ThrottlingProxy implements AutoCloseable {
    private static final String THROTTLED = "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException\","
            + "\"message\":\"The level of configured provisioned throughput for the table was exceeded.\"}";

    private final String target;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(8);
    private final AtomicInteger throttleNext = new AtomicInteger();
    private final AtomicInteger throttled = new AtomicInteger();

    public ThrottlingProxy(String target) {
        this.target = target;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    public String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The next {@code count} requests are throttled. */
    public void throttleNext(int count) {
        throttleNext.set(count);
    }

    /** How many requests were throttled so far. */
    public int throttled() {
        return throttled.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (throttleNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throttled.incrementAndGet();
                byte[] answer = THROTTLED.getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.0");
                exchange.sendResponseHeaders(400, answer.length);
                exchange.getResponseBody().write(answer);
                return;
            }
            HttpURLConnection upstream = (HttpURLConnection) URI.create(target + exchange.getRequestURI()).toURL().openConnection();
            upstream.setRequestMethod(exchange.getRequestMethod());
            for (Map.Entry<String, List<String>> header : exchange.getRequestHeaders().entrySet()) {
                if (!header.getKey().equalsIgnoreCase("Host") && !header.getKey().equalsIgnoreCase("Content-Length")) {
                    upstream.setRequestProperty(header.getKey(), String.join(",", header.getValue()));
                }
            }
            if (body.length > 0) {
                upstream.setDoOutput(true);
                try (OutputStream out = upstream.getOutputStream()) {
                    out.write(body);
                }
            }
            int status = upstream.getResponseCode();
            InputStream in = status >= 400 ? upstream.getErrorStream() : upstream.getInputStream();
            byte[] answer = in == null ? new byte[0] : in.readAllBytes();
            upstream.getHeaderFields().forEach((name, values) -> {
                if (name != null && !name.equalsIgnoreCase("Transfer-Encoding") && !name.equalsIgnoreCase("Content-Length")) {
                    values.forEach(v -> exchange.getResponseHeaders().add(name, v));
                }
            });
            exchange.sendResponseHeaders(status, answer.length == 0 ? -1 : answer.length);
            if (answer.length > 0) {
                exchange.getResponseBody().write(answer);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
