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
 * A loopback proxy in front of moto for the faults moto cannot make: it answers DynamoDB's
 * throttling error ({@code ProvisionedThroughputExceededException}, 400) to the next N requests,
 * IAM's denial ({@code AccessDeniedException}, 400) to the next N requests for one operation,
 * and it can go down (its port refuses connections, as a stopped moto's would) and come back on the
 * same port, with moto's state intact for the test to inspect.
 */
public final class DynamoDbProxy implements AutoCloseable {
    private static final String THROTTLED =
            "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException\","
                    + "\"message\":\"The level of configured provisioned throughput for the table was exceeded.\"}";

    private final String target;
    private final int port;
    private HttpServer server;
    private boolean up;
    private final ExecutorService executor = Executors.newFixedThreadPool(8);
    private final AtomicInteger throttleNext = new AtomicInteger();
    private final AtomicInteger throttled = new AtomicInteger();
    private volatile String downAt;
    private volatile String dropOperation;
    private final AtomicInteger dropCount = new AtomicInteger();
    private final AtomicInteger downAfter = new AtomicInteger();
    private volatile String denyOperation;
    private volatile String deniedAction;
    private volatile String deniedTable;
    private final AtomicInteger denyCount = new AtomicInteger();

    public DynamoDbProxy(String target) {
        this.target = target;
        server = listen(0);
        up = true;
        port = server.getAddress().getPort();
    }

    private HttpServer listen(int onPort) {
        HttpServer listening;
        try {
            listening = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), onPort), 50);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        listening.setExecutor(executor);
        listening.createContext("/", this::handle);
        listening.start();
        return listening;
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    /**
     * The first request for {@code operation} ({@code "UpdateItem"}, say) gets no answer (its
     * connection is closed), and from then on the proxy is down: an outage that starts mid-command.
     */
    public void goDownAt(String operation) {
        goDownAt(operation, 1);
    }

    /** As {@link #goDownAt(String)}, at the {@code nth} request for {@code operation} from now. */
    public void goDownAt(String operation, int nth) {
        downAfter.set(nth);
        downAt = "DynamoDB_20120810." + operation;
    }

    /**
     * The next {@code count} requests for {@code operation} get no answer (their connection is closed),
     * then it answers again: a blip, as the SDK sees a dropped connection.
     */
    public void dropNext(String operation, int count) {
        dropOperation = "DynamoDB_20120810." + operation;
        dropCount.set(count);
    }

    /** From now on connections are refused, as if DynamoDB (moto) had stopped. */
    public synchronized void goDown() {
        if (up) {
            server.stop(0);
            up = false;
        }
    }

    /** Listens again on the same port: DynamoDB is back, with everything it stored before. */
    public synchronized void comeBack() {
        if (!up) {
            server = listen(port);
            up = true;
        }
    }

    /**
     * The next {@code count} requests for {@code operation} ({@code "TransactWriteItems"}, say) are
     * refused as AWS refuses a role without {@code action} ({@code "dynamodb:PutItem"}): moto checks no IAM.
     */
    public void denyNext(String operation, String action, int count) {
        denyNext(operation, action, null, count);
    }

    /**
     * As {@link #denyNext(String, String, int)}, for requests that name {@code table} only (as AWS
     * refuses an action on one resource): a transaction on another table goes through.
     */
    public void denyNext(String operation, String action, String table, int count) {
        deniedAction = action;
        deniedTable = table;
        denyOperation = "DynamoDB_20120810." + operation;
        denyCount.set(count);
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
            String operation = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            if (operation != null
                    && operation.equals(dropOperation)
                    && dropCount.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                return;
            }
            if (downAt != null && downAt.equals(operation) && downAfter.decrementAndGet() == 0) {
                downAt = null;
                // Stopping waits for open exchanges, this one included: stop from another thread.
                new Thread(this::goDown).start();
                return;
            }
            String table = deniedTable;
            if (operation != null
                    && operation.equals(denyOperation)
                    && (table == null || new String(body, StandardCharsets.UTF_8)
                            .contains("\"TableName\":\"" + table + "\""))
                    && denyCount.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                byte[] answer = ("{\"__type\":\"com.amazon.coral.service#AccessDeniedException\",\"Message\":\"User:"
                    + " arn:aws:sts::123456789012:assumed-role/ChatOpsRole/function is not authorized to perform: "
                                + deniedAction
                                + " on resource: arn:aws:dynamodb:us-east-1:123456789012:table/AccessTable because no "
                                + "identity-based policy allows the " + deniedAction + " action\"}")
                        .getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.0");
                exchange.sendResponseHeaders(400, answer.length);
                exchange.getResponseBody().write(answer);
                return;
            }
            if (throttleNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throttled.incrementAndGet();
                byte[] answer = THROTTLED.getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.0");
                exchange.sendResponseHeaders(400, answer.length);
                exchange.getResponseBody().write(answer);
                return;
            }
            HttpURLConnection upstream = (HttpURLConnection)
                    URI.create(target + exchange.getRequestURI()).toURL().openConnection();
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
                if (name != null
                        && !name.equalsIgnoreCase("Transfer-Encoding")
                        && !name.equalsIgnoreCase("Content-Length")) {
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
    public synchronized void close() {
        goDown();
        executor.shutdownNow();
    }
}
