package dev.chatops.local;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.chatops.shared.Json;
import dev.chatops.shared.Log;
import dev.chatops.testing.LocalAws;
import dev.chatops.testing.aws.AwsRequestAuthorization;
import dev.chatops.testing.aws.SamTemplate;
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
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import dev.chatops.local.LambdaContainer.Result;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * A loopback stand-in for Lambda's Invoke API, reached through the AWS front door (which has
 * checked the caller's signature and role), so the gateway's signed Invoke lands here as it does
 * in Lambda. {@code InvocationType=Event} answers 202 at once and runs the function in one of its
 * execution environments; when the invocation fails (an unhandled error, a crash, a timeout), it
 * is retried as many times as template.yaml's {@code MaximumRetryAttempts} says (after
 * {@code retryDelays}, seconds here rather than Lambda's minutes), then its on-failure destination
 * record goes to the SQS queue — sent, as Lambda sends it, with the function's own role — and
 * that queue is polled with its consumer's role and fed to it, as Lambda's event source mapping
 * does.
 */
final class LocalLambdaApi implements AutoCloseable {
    private static final String PATH = "/2015-03-31/functions/";
    /** A function of this account and region by name, partial or full ARN, with an optional qualifier. */
    private static final Pattern FUNCTION_NAME = Pattern.compile("(?:(?:arn:aws:lambda:" + LocalRegion.NAME + ":)?"
            + LambdaFunction.ACCOUNT + ":function:)?([A-Za-z0-9_-]+)(?::([A-Za-z0-9$_-]+))?");
    /** The qualifiers each function has: its alias, its one published version, and the unpublished one. */
    private static final Set<String> QUALIFIERS = Set.of("live", LambdaFunction.VERSION, "$LATEST");

    private volatile LambdaFunctions functions;
    private volatile Function<String, SqsClient> sqsAs;
    private volatile LocalAws aws;
    private final List<Duration> retryDelays;
    private final ExecutorService workers = Executors.newCachedThreadPool(daemon("local-lambda"));
    private final ScheduledExecutorService retries =
            Executors.newSingleThreadScheduledExecutor(daemon("local-lambda-retry"));
    private final ExecutorService pollers = Executors.newCachedThreadPool(daemon("local-sqs-poller"));
    private final HttpServer server;
    private volatile boolean running = true;

    LocalLambdaApi(List<Duration> retryDelays, int port) {
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

    /**
     * Starts serving {@code functions} (built after this API, since the functions' AWS endpoint
     * leads here); {@code aws} is the template's resources, {@code sqsAs} gives an SQS client
     * acting with a function's role.
     */
    void serve(LambdaFunctions functions, LocalAws aws, Function<String, SqsClient> sqsAs) {
        this.functions = functions;
        this.aws = aws;
        this.sqsAs = sqsAs;
        for (SamTemplate.EventSourceMapping mapping : aws.template().eventSourceMappings()) {
            String queue = mapping.sourceLogicalId().orElseThrow(() -> new IllegalArgumentException(
                    mapping.logicalId() + ": the local stack polls only the template's own queues"));
            pollers.submit(() -> poll(queue, mapping.functionLogicalId(), mapping.batchSize().orElse(10)));
        }
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
            String given = URLDecoder.decode(path.substring(PATH.length(), path.length() - "/invocations".length()),
                    StandardCharsets.UTF_8);
            Matcher target = FUNCTION_NAME.matcher(given);
            String queried = AwsRequestAuthorization.decode(exchange.getRequestURI().getRawQuery()).get("Qualifier");
            String qualifier = target.matches() ? (target.group(2) != null ? target.group(2) : queried) : null;
            boolean known = target.matches() && functions != null && functions.has(target.group(1))
                    && (qualifier == null || QUALIFIERS.contains(qualifier))
                    && (queried == null || target.group(2) == null || queried.equals(target.group(2)));
            if (!known) {
                // Lambda answers a name, ARN, account, region or qualifier it does not have the same way.
                respond(exchange, 404, error("ResourceNotFoundException", "Function not found: " + given));
                return;
            }
            String name = target.group(1);
            byte[] payload = exchange.getRequestBody().readAllBytes();
            String type = exchange.getRequestHeaders().getFirst("X-Amz-Invocation-Type");
            String trace = exchange.getRequestHeaders().getFirst("X-Amzn-Trace-Id");
            String arn = functions.function(name).arn() + (qualifier == null ? "" : ":" + qualifier);
            if ("DryRun".equals(type)) {
                // Lambda only checks the call and the caller's permission, which the front door has done.
                respond(exchange, 204, "");
                return;
            }
            if (type != null && !type.equals("Event") && !type.equals("RequestResponse")) {
                respond(exchange, 400, error("InvalidParameterValueException", "X-Amz-Invocation-Type " + type));
                return;
            }
            if ("Event".equals(type)) {
                workers.submit(() -> runAsync(name, arn, payload, trace, 1));
                respond(exchange, 202, "");
                return;
            }
            Result result = functions.invoke(name, payload, arn, trace);
            exchange.getResponseHeaders().add("X-Amz-Executed-Version", LambdaFunction.VERSION);
            if (result.failed()) {
                exchange.getResponseHeaders().add("X-Amz-Function-Error", result.functionError());
            }
            respond(exchange, 200, new String(result.payload(), StandardCharsets.UTF_8));
        }
    }

    private void runAsync(String name, String arn, byte[] payload, String trace, int attempt) {
        Result result = functions.invoke(name, payload, arn, trace);
        if (!result.failed() || !running) {
            return;
        }
        SamTemplate.EventInvokeConfig config = aws.template().eventInvokeConfigs().get(name);
        // Lambda's default for asynchronous invocations: two retries.
        int maxRetries = config == null ? 2 : config.maximumRetryAttempts().orElse(2);
        Log.warn(
                "local.lambda.failed",
                "function",
                name,
                "attempt",
                attempt,
                "error",
                LambdaErrors.type(result.payload()));
        if (attempt <= maxRetries) {
            Duration delay = retryDelays.get(Math.min(attempt - 1, retryDelays.size() - 1));
            retries.schedule(() -> workers.submit(() -> runAsync(name, arn, payload, trace, attempt + 1)),
                    delay.toMillis(), TimeUnit.MILLISECONDS);
        } else {
            sendToDestination(name, arn, payload, attempt, result);
        }
    }

    private void sendToDestination(String name, String arn, byte[] payload, int attempts, Result error) {
        SamTemplate.EventInvokeConfig config = aws.template().eventInvokeConfigs().get(name);
        if (config == null || config.onFailureDestination().isEmpty()) {
            return;
        }
        String destination = aws.intrinsics().resolveString(config.onFailureDestination().get());
        String queueUrl = aws.queueUrl(destination.substring(destination.lastIndexOf(':') + 1));
        if (queueUrl == null) {
            throw new IllegalArgumentException(
                    "the local stack sends on-failure records only to its own queues, not " + destination);
        }
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("version", "1.0");
        record.put("timestamp", Instant.now().toString());
        record.put("requestContext", Map.of("requestId", UUID.randomUUID().toString(),
                "functionArn", arn,
                "condition", "RetriesExhausted", "approximateInvokeCount", attempts));
        record.put("requestPayload", Json.readObject(new String(payload, StandardCharsets.UTF_8)));
        record.put("responseContext", Map.of("statusCode", 200, "executedVersion", LambdaFunction.VERSION,
                "functionError", error.functionError()));
        record.put("responsePayload", Json.readObject(new String(error.payload(), StandardCharsets.UTF_8)));
        // Lambda sends the record with the function's execution role.
        try {
            sqsAs.apply(name).sendMessage(b -> b.queueUrl(queueUrl).messageBody(Json.write(record)));
        } catch (RuntimeException e) {
            Log.error("local.lambda.destination_failed", e, "function", name, "queue", queueUrl);
        }
    }

    private void poll(String queue, String consumer, int batchSize) {
        String url = aws.queueUrl(queue);
        String arn = "arn:aws:sqs:" + LocalRegion.NAME + ":" + LambdaFunction.ACCOUNT + ":" + queue;
        // Lambda's event source mapping polls with the consuming function's execution role.
        SqsClient sqs = sqsAs.apply(consumer);
        while (running) {
            try {
                List<Message> messages = sqs.receiveMessage(b ->
                                b.queueUrl(url).maxNumberOfMessages(batchSize).waitTimeSeconds(1))
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
                Result result = functions.invoke(
                        consumer,
                        Json.write(Map.of("Records", records)).getBytes(StandardCharsets.UTF_8),
                        functions.function(consumer).arn());
                if (result.failed()) {
                    // The whole batch becomes visible again after the queue's visibility timeout.
                    continue;
                }
                byte[] out = result.payload();
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

    private static ThreadFactory daemon(String name) {
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
    }
}
