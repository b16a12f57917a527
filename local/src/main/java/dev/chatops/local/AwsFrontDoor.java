package dev.chatops.local;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.chatops.local.ContainerCredentials.Identity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one AWS endpoint the functions are given ({@code AWS_ENDPOINT_URL}), standing where AWS's
 * front ends stand: every request must be signed (SigV4, checked here since moto checks nothing)
 * with keys the container credentials endpoint issued, and is authorised against the issuing
 * function's role ({@link Authority}) before it reaches moto — or, for Lambda's Invoke, the local
 * Lambda API. What AWS would refuse is answered as AWS answers it, so the function's own handling
 * of the refusal runs too. DynamoDB requests reach moto one at a time, so that a conditional write
 * is as atomic as in DynamoDB.
 */
final class AwsFrontDoor implements AutoCloseable {
    /**
     * Headers AWS reads once; a request repeating one is refused rather than read one way here and
     * another upstream.
     */
    private static final Set<String> SINGLE = Set.of("authorization", "x-amz-target", "content-type", "x-amz-date",
            "x-amz-security-token", "x-amz-content-sha256", "host", "x-amz-invocation-type");

    /** One request as it reached the front door; header names in lower case. */
    record Request(String method, String rawPath, String rawQuery, Map<String, String> headers, byte[] body) {
    }

    /** An answer in AWS's words. */
    record Answer(int status, Map<String, String> headers, byte[] body) {
        static Answer json(int status, String type, String message) {
            String body = "{\"__type\":\"" + type + "\",\"message\":\"" + message.replace("\"", "'") + "\"}";
            return new Answer(status, Map.of("Content-Type", "application/x-amz-json-1.0", "x-amzn-ErrorType", type),
                    body.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Decides, as IAM does, whether a caller may make a request. */
    interface Authority {
        /** Empty when {@code identity} may make {@code request} of {@code service}; otherwise AWS's refusal. */
        Optional<Answer> check(Identity identity, String service, Request request);
    }

    private final HttpServer server;
    private final ContainerCredentials credentials;
    private final Authority authority;
    private final String moto;
    private final String lambda;
    private final Clock clock;
    /** The turn of the DynamoDB request moto serves; fair, so no function's request waits behind the others'. */
    private final ReentrantLock dynamoDbTurn = new ReentrantLock(true);

    AwsFrontDoor(
            ContainerCredentials credentials,
            Authority authority,
            String motoEndpoint,
            String lambdaEndpoint,
            Clock clock) {
        this.credentials = credentials;
        this.authority = authority;
        this.moto = motoEndpoint;
        this.lambda = lambdaEndpoint;
        this.clock = clock;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 200);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // A thread per request in flight, as AWS's front ends do not queue one caller behind another:
        // the gateway's Invoke must not wait behind the command functions' calls to a busy moto.
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread thread = new Thread(r, "aws-front-door");
            thread.setDaemon(true);
            return thread;
        }));
        server.createContext("/", this::handle);
        server.start();
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Map<String, String> headers = new LinkedHashMap<>();
            Set<String> repeated = new TreeSet<>();
            exchange.getRequestHeaders().forEach((name, values) -> {
                String key = name.toLowerCase(Locale.ROOT);
                if (values.size() > 1 || headers.containsKey(key)) {
                    repeated.add(key);
                }
                headers.put(key, String.join(",", values));
            });
            Request request = new Request(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                    exchange.getRequestURI().getRawQuery(), headers, exchange.getRequestBody().readAllBytes());
            Answer answer;
            try {
                answer = repeated.stream().anyMatch(SINGLE::contains)
                        ? Answer.json(400, "InvalidParameterException", "repeated header " + repeated)
                        : answer(request);
            } catch (RuntimeException e) {
                // A body or parameter the mapping cannot read: AWS's front end refuses it, as here.
                answer = Answer.json(400, "SerializationException", "the request could not be read");
            }
            send(exchange, answer);
        }
    }

    private Answer answer(Request request) throws IOException {
        Optional<SigV4.Authorization> auth = SigV4.Authorization.parse(request.headers().get("authorization"));
        if (auth.isEmpty()) {
            return Answer.json(400, "MissingAuthenticationTokenException", "Missing Authentication Token");
        }
        Optional<Identity> identity = credentials.identity(auth.get().accessKeyId());
        if (identity.isEmpty()) {
            return Answer.json(
                    400, "UnrecognizedClientException", "The security token included in the request is invalid.");
        }
        Identity caller = identity.get();
        String token = request.headers().get("x-amz-security-token");
        if (token == null || !MessageDigest.isEqual(caller.sessionToken().getBytes(StandardCharsets.UTF_8),
                token.getBytes(StandardCharsets.UTF_8))) {
            return Answer.json(
                    400, "UnrecognizedClientException", "The security token included in the request is invalid.");
        }
        if (clock.instant().isAfter(caller.expiration())) {
            return Answer.json(400, "ExpiredTokenException", "The security token included in the request is expired");
        }
        if (!auth.get().region().equals(LocalRegion.NAME)) {
            return Answer.json(403, "InvalidSignatureException", "Credential should be scoped to a valid region.");
        }
        Optional<String> bad = SigV4.problem(auth.get(), caller.secretAccessKey(), request.method(), request.rawPath(),
                request.rawQuery(), request.headers(), request.body(), clock.instant());
        if (bad.isPresent()) {
            return Answer.json(403, "InvalidSignatureException", bad.get());
        }
        String service = auth.get().service();
        Optional<String> shape = RequestShapes.shapeProblem(service, request, auth.get().signedHeaders());
        if (shape.isPresent()) {
            return Answer.json(400, "UnknownOperationException", shape.get());
        }
        Optional<Answer> refused = authority.check(caller, service, request);
        if (refused.isPresent()) {
            return refused.get();
        }
        if (service.equals("dynamodb")) {
            // DynamoDB's conditional writes are atomic; moto's are not under concurrent requests (two
            // can check the condition before either writes: two clicks could both decide one
            // approval). One DynamoDB request at a time reaches moto, ordered as DynamoDB would order
            // them, as SerializedDynamoDb does for the tests that race in one JVM.
            dynamoDbTurn.lock();
            try {
                return Upstream.forward(moto, request);
            } finally {
                dynamoDbTurn.unlock();
            }
        }
        return Upstream.forward(service.equals("lambda") ? lambda : moto, request);
    }


    private static void send(HttpExchange exchange, Answer answer) throws IOException {
        answer.headers().forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
        boolean empty = answer.body().length == 0 || answer.status() == 204 || answer.status() == 304;
        exchange.sendResponseHeaders(answer.status(), empty ? -1 : answer.body().length);
        if (!empty) {
            exchange.getResponseBody().write(answer.body());
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
