package dev.chatops.local;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.chatops.shared.Json;
import dev.chatops.shared.Log;
import dev.chatops.testing.Template;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * A loopback stand-in for Lambda's Invoke API, so the gateway's real SDK client dispatches here as
 * it does to Lambda. {@code InvocationType=Event} answers 202 at once and runs the function on
 * another thread; when it throws, it is retried as many times as template.yaml's
 * {@code MaximumRetryAttempts} says (after {@code retryDelays}, seconds here rather than Lambda's
 * minutes), then its on-failure destination record goes to the SQS queue on moto, which is polled
 * for the function that consumes it, as Lambda's event source mapping would.
 */
final class LocalLambdaApi implements AutoCloseable {
    private static final String PATH = "/2015-03-31/functions/";

    private volatile LocalFunctions functions;
    private final Template template;
    private final Map<String, String> queueUrls;
    private final List<Duration> retryDelays;
    private final ExecutorService workers = Executors.newFixedThreadPool(8, daemon("local-lambda"));
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(daemon("local-lambda-retry"));
    private final ExecutorService pollers = Executors.newCachedThreadPool(daemon("local-sqs-poller"));
    private final SqsClient sqs = SqsClient.builder().httpClient(UrlConnectionHttpClient.create()).build();
    private final HttpServer server;
    private volatile boolean running = true;

    LocalLambdaApi(Template template, Map<String, String> queueUrls, List<Duration> retryDelays, int port) {
        this.template = template;
        this.queueUrls = queueUrls;
        this.retryDelays = retryDelays;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 100);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newFixedThreadPool(4, daemon("local-lambda-http")));
        server.createContext(PATH, this::invoke);
        server.start();
    }

    /** Starts serving {@code functions} (built after this API, since the gateway's client points here). */
    void serve(LocalFunctions functions) {
        this.functions = functions;
        template.sqsConsumers().forEach((queue, consumer) -> pollers.submit(() -> poll(queue, consumer)));
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void invoke(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath();
            if (!"POST".equals(exchange.getRequestMethod()) || !path.endsWith("/invocations")) {
                respond(exchange, 404, error("ResourceNotFoundException", "unknown path"));
                return;
            }
            String name = functionId(URLDecoder.decode(path.substring(PATH.length(), path.length() - "/invocations".length()),
                    StandardCharsets.UTF_8));
            if (functions == null || !functions.has(name)) {
                respond(exchange, 404, error("ResourceNotFoundException", "Function not found: " + name));
                return;
            }
            byte[] payload = exchange.getRequestBody().readAllBytes();
            String type = exchange.getRequestHeaders().getFirst("X-Amz-Invocation-Type");
            if ("Event".equals(type)) {
                workers.submit(() -> runAsync(name, payload, 1));
                respond(exchange, 202, "");
                return;
            }
            try {
                respond(exchange, 200, new String(functions.invoke(name, payload), StandardCharsets.UTF_8));
            } catch (Exception e) {
                exchange.getResponseHeaders().add("X-Amz-Function-Error", "Unhandled");
                respond(exchange, 200, error(e.getClass().getName(), String.valueOf(e.getMessage())));
            }
        }
    }

    private void runAsync(String name, byte[] payload, int attempt) {
        try {
            functions.invoke(name, payload);
        } catch (Exception e) {
            int maxRetries = template.maximumRetryAttempts(name);
            Log.warn("local.lambda.failed", "function", name, "attempt", attempt, "error", e.getClass().getSimpleName());
            if (attempt <= maxRetries && running) {
                Duration delay = retryDelays.get(Math.min(attempt - 1, retryDelays.size() - 1));
                retries.schedule(() -> workers.submit(() -> runAsync(name, payload, attempt + 1)),
                        delay.toMillis(), TimeUnit.MILLISECONDS);
            } else {
                sendToDestination(name, payload, attempt, e);
            }
        }
    }

    private void sendToDestination(String name, byte[] payload, int attempts, Exception error) {
        template.failureDestination(name).map(queueUrls::get).ifPresent(queueUrl -> {
            Map<String, Object> record = new LinkedHashMap<>();
            record.put("version", "1.0");
            record.put("timestamp", Instant.now().toString());
            record.put("requestContext", Map.of("requestId", UUID.randomUUID().toString(),
                    "functionArn", "arn:aws:lambda:us-east-1:123456789012:function:" + name + ":$LATEST",
                    "condition", "RetriesExhausted", "approximateInvokeCount", attempts));
            record.put("requestPayload", Json.readObject(new String(payload, StandardCharsets.UTF_8)));
            record.put("responseContext", Map.of("statusCode", 200, "executedVersion", "$LATEST", "functionError", "Unhandled"));
            record.put("responsePayload", Map.of("errorMessage", String.valueOf(error.getMessage()),
                    "errorType", error.getClass().getName()));
            sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody(Json.write(record)));
        });
    }

    private void poll(String queue, String consumer) {
        String url = queueUrls.get(queue);
        String arn = "arn:aws:sqs:us-east-1:123456789012:" + queue;
        while (running) {
            try {
                List<Message> messages = sqs.receiveMessage(b -> b.queueUrl(url).maxNumberOfMessages(10).waitTimeSeconds(1))
                        .messages();
                if (messages.isEmpty()) {
                    continue;
                }
                List<Map<String, Object>> records = new ArrayList<>();
                for (Message m : messages) {
                    Map<String, Object> r = new LinkedHashMap<>();
                    r.put("messageId", m.messageId());
                    r.put("receiptHandle", m.receiptHandle());
                    r.put("body", m.body());
                    r.put("attributes", Map.of());
                    r.put("messageAttributes", Map.of());
                    r.put("md5OfBody", m.md5OfBody());
                    r.put("eventSource", "aws:sqs");
                    r.put("eventSourceARN", arn);
                    r.put("awsRegion", "us-east-1");
                    records.add(r);
                }
                byte[] out = functions.invoke(consumer, Json.write(Map.of("Records", records)).getBytes(StandardCharsets.UTF_8));
                List<String> failed = new ArrayList<>();
                if (out.length > 0 && Json.readObject(new String(out, StandardCharsets.UTF_8))
                        .get("batchItemFailures") instanceof List<?> failures) {
                    for (Object f : failures) {
                        failed.add(String.valueOf(((Map<?, ?>) f).get("itemIdentifier")));
                    }
                }
                for (Message m : messages) {
                    if (!failed.contains(m.messageId())) {
                        sqs.deleteMessage(b -> b.queueUrl(url).receiptHandle(m.receiptHandle()));
                    }
                }
            } catch (Exception e) {
                if (running) {
                    Log.warn("local.sqs.poll_failed", "queue", queue, "error", String.valueOf(e.getMessage()));
                    sleep(Duration.ofSeconds(1));
                }
            }
        }
    }

    /** {@code UserFunction}, {@code UserFunction:live} or a function ARN → {@code UserFunction}. */
    static String functionId(String name) {
        if (name.startsWith("arn:")) {
            String[] parts = name.split(":");
            return parts.length > 6 ? parts[6] : name;
        }
        int colon = name.indexOf(':');
        return colon < 0 ? name : name.substring(0, colon);
    }

    private static String error(String type, String message) {
        return Json.write(Map.of("Type", "User", "errorType", type, "message", message));
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread thread = new Thread(r, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    @Override
    public void close() {
        running = false;
        server.stop(0);
        workers.shutdownNow();
        retries.shutdownNow();
        pollers.shutdownNow();
        try {
            pollers.awaitTermination(3, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sqs.close();
    }
}
