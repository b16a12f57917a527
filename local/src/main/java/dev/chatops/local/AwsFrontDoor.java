package dev.chatops.local;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.chatops.local.ContainerCredentials.Identity;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;

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
    private static final String JSON_1_0 = "application/x-amz-json-1.0";
    private static final String FORM = "application/x-www-form-urlencoded(; ?charset=(?i:utf-8))?";
    /**
     * The only request headers that go on to the service: what the SDKs send that the service
     * needs. moto reads more (an encoding it inflates, a region in User-Agent, an account header,
     * parameters from headers when the body is empty), which the checks here never see.
     */
    private static final Set<String> FORWARDED = Set.of(
            "authorization",
            "content-type",
            "x-amz-target",
            "x-amz-date",
            "x-amz-security-token",
            "x-amz-content-sha256",
            "x-amz-invocation-type",
            "x-amz-log-type",
            "x-amz-client-context");

    private static final Set<String> HOP_BY_HOP = Set.of("host", "content-length", "connection", "transfer-encoding",
            "keep-alive", "expect", "upgrade");

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
        Optional<String> shape = shapeProblem(service, request, auth.get().signedHeaders());
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
                return forward(moto, request);
            } finally {
                dynamoDbTurn.unlock();
            }
        }
        return forward(service.equals("lambda") ? lambda : moto, request);
    }

    /**
     * Why the request is not one an SDK sends to the service its signature names, or empty: each
     * service is reached only through its own API's paths (never moto's own, such as
     * {@code /moto-api/}), a JSON-protocol request carries exactly one operation in its
     * {@code X-Amz-Target} and no query, and a Lambda request is an Invoke.
     */
    static Optional<String> shapeProblem(String service, Request request, List<String> signedHeaders) {
        String target = request.headers().get("x-amz-target");
        String type = request.headers().get("content-type");
        String path = request.rawPath();
        boolean post = request.method().equals("POST") && request.rawQuery() == null;
        boolean signedType = type != null && signedHeaders.contains("content-type");
        if (request.headers().containsKey("content-encoding")) {
            // The checks read the bytes as sent; a service that inflates them would read others.
            return Optional.of("a Content-Encoding is not accepted here");
        }
        boolean jsonBody = request.body().length > 0 && request.body()[0] == '{';
        switch (service) {
            case "dynamodb":
            case "secretsmanager":
                String prefix = service.equals("dynamodb") ? "DynamoDB_20120810" : "secretsmanager";
                String json = service.equals("dynamodb") ? JSON_1_0 : "application/x-amz-json-1.1";
                return post
                                && "/".equals(path)
                                && signedType
                                && type.equals(json)
                                && jsonBody
                                && target != null
                                && target.matches(Pattern.quote(prefix) + "\\.[A-Za-z]+")
                        ? Optional.empty()
                        : Optional.of(service + " is reached by POST / with X-Amz-Target " + prefix
                                + ".<Operation>, Content-Type " + json + " and no query");
            case "sqs":
                // One protocol, told alike by the target and the content type, so that the mapping and
                // the service cannot read the request as two different ones.
                boolean queuePath =
                        "/".equals(path) || path != null && path.matches("/\\d{12}/[A-Za-z0-9_-]{1,80}(\\.fifo)?");
                boolean jsonProtocol = target != null
                        && target.matches("AmazonSQS\\.[A-Za-z]+")
                        && JSON_1_0.equals(type)
                        && "/".equals(path)
                        && jsonBody;
                boolean queryProtocol = target == null
                        && type != null
                        && type.matches(FORM)
                        && request.body().length > 0
                        && uniqueFormKeys(request.body());
                return post && queuePath && signedType && (jsonProtocol || queryProtocol)
                        ? Optional.empty()
                        : Optional.of("sqs is reached by POST / or /<account>/<queue> with no query: X-Amz-Target"
                                + " AmazonSQS.<Operation>"
                                + " and Content-Type"
                                + " " + JSON_1_0 + ", or a form with each parameter once");
            case "lambda":
                // The SDK puts a qualifier given apart from the name in the query, its one parameter.
                boolean qualifier =
                        request.rawQuery() == null || request.rawQuery().matches("Qualifier=[A-Za-z0-9_%-]+");
                return request.method().equals("POST") && qualifier && path != null
                        && path.matches("/2015-03-31/functions/[^/]+/invocations") && target == null
                        ? Optional.empty() : Optional.of("only Lambda's Invoke is served here");
            default:
                return Optional.of("the local stack serves no requests signed for service " + service);
        }
    }

    private static boolean uniqueFormKeys(byte[] body) {
        Set<String> keys = new HashSet<>();
        for (String pair : new String(body, StandardCharsets.UTF_8).split("&")) {
            int eq = pair.indexOf('=');
            if (!pair.isEmpty()
                    && !keys.add(URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8))) {
                return false;
            }
        }
        return true;
    }

    /**
     * The body as the service should read it. moto reads any body as a form too, and takes an
     * {@code Action} or other parameter found there over the JSON protocol's; a raw ampersand can
     * only stand inside a JSON string, where its JSON escape means the same to a JSON reader, so
     * after this a JSON body has no form parameters for moto to find.
     */
    static byte[] upstreamBody(Request request) {
        String type = request.headers().get("content-type");
        if (type == null || !type.startsWith("application/x-amz-json-")) {
            return request.body();
        }
        return new String(request.body(), StandardCharsets.UTF_8)
                .replace("&", "\\u0026")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static Answer forward(String upstream, Request request) throws IOException {
        URI uri =
                URI.create(upstream + request.rawPath() + (request.rawQuery() == null ? "" : "?" + request.rawQuery()));
        HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection();
        try {
            connection.setInstanceFollowRedirects(false);
            connection.setConnectTimeout(5_000);
            connection.setReadTimeout(120_000);
            connection.setRequestMethod(request.method());
            request.headers().forEach((name, value) -> {
                if (FORWARDED.contains(name)) {
                    connection.setRequestProperty(name, value);
                }
            });
            byte[] sent = upstreamBody(request);
            if (sent.length > 0 || request.method().equals("POST") || request.method().equals("PUT")) {
                connection.setDoOutput(true);
                connection.setFixedLengthStreamingMode(sent.length);
                try (OutputStream out = connection.getOutputStream()) {
                    out.write(sent);
                }
            }
            int status = connection.getResponseCode();
            Map<String, String> headers = new LinkedHashMap<>();
            connection.getHeaderFields().forEach((name, values) -> {
                if (name != null && !HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT))) {
                    headers.put(name, String.join(",", values));
                }
            });
            InputStream stream = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
            byte[] body;
            // Read to the end and closed, not disconnected: the connection goes back to the JDK's
            // keep-alive cache for the next request, as an SDK's pooled client would have it.
            try (stream) {
                body = stream == null ? new byte[0] : stream.readAllBytes();
            }
            return new Answer(status, headers, body);
        } catch (IOException e) {
            connection.disconnect();
            throw e;
        }
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
