package dev.chatops.testing;

import com.fasterxml.jackson.jr.ob.JSON;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A loopback proxy in front of moto for the faults moto cannot make: it answers DynamoDB's
 * throttling error ({@code ProvisionedThroughputExceededException}, 400) to the next N requests,
 * IAM's denial ({@code AccessDeniedException}, 400) to the next N requests for one operation,
 * a transaction's cancellation by a conflict ({@code TransactionCanceledException}, 400), and it
 * can go down (its port refuses connections, as a stopped moto's would) and come back on the
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
    private volatile String refuseOperation;
    /** The answer to a refused request, given its body. */
    private volatile Function<String, String> refusal;
    private volatile String refusedTable;
    private final AtomicInteger refuseCount = new AtomicInteger();

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
        String resource = "arn:aws:dynamodb:us-east-1:123456789012:table/" + (table == null ? "AccessTable" : table);
        refuseNext(operation, table, count, body -> "{\"__type\":\"com.amazon.coral.service#AccessDeniedException\","
                + "\"Message\":\"User: arn:aws:sts::123456789012:assumed-role/ChatOpsRole/function"
                + " is not authorized to perform: " + action + " on resource: " + resource
                + " because no identity-based policy allows the " + action + " action\"}");
    }

    /**
     * The next {@code count} {@code TransactWriteItems} that name {@code table} are cancelled as
     * DynamoDB cancels a transaction that meets another write to one of its items: its writes on
     * {@code table} conflict ({@code TransactionConflict}), the others are not made. moto serves
     * requests one at a time and never conflicts.
     */
    public void conflictNext(String table, int count) {
        refuseNext("TransactWriteItems", table, count, body -> {
            List<String> reasons = new ArrayList<>();
            try {
                for (Object item : (List<?>) JSON.std.mapFrom(body).get("TransactItems")) {
                    Map<?, ?> write = (Map<?, ?>) ((Map<?, ?>) item).values().iterator().next();
                    reasons.add(table.equals(write.get("TableName"))
                            ? "{\"Code\":\"TransactionConflict\",\"Message\":\"Transaction is ongoing for the item\"}"
                            : "{\"Code\":\"None\"}");
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return "{\"__type\":\"com.amazonaws.dynamodb.v20120810#TransactionCanceledException\",\"Message\":"
                    + "\"Transaction cancelled, please refer cancellation reasons for specific reasons\","
                    + "\"CancellationReasons\":[" + String.join(",", reasons) + "]}";
        });
    }

    private void refuseNext(String operation, String table, int count, Function<String, String> answer) {
        refusal = answer;
        refusedTable = table;
        refuseOperation = "DynamoDB_20120810." + operation;
        refuseCount.set(count);
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
            String text = new String(body, StandardCharsets.UTF_8);
            String table = refusedTable;
            if (operation != null
                    && operation.equals(refuseOperation)
                    && (table == null || text.contains("\"TableName\":\"" + table + "\""))
                    && refuseCount.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                answer400(exchange, refusal.apply(text));
                return;
            }
            if (throttleNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throttled.incrementAndGet();
                answer400(exchange, THROTTLED);
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

    /** DynamoDB's answer to a request it refuses: 400, its error in JSON. */
    private static void answer400(HttpExchange exchange, String error) throws IOException {
        byte[] answer = error.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.0");
        exchange.sendResponseHeaders(400, answer.length);
        exchange.getResponseBody().write(answer);
    }

    @Override
    public synchronized void close() {
        goDown();
        executor.shutdownNow();
    }
}
