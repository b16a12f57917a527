package dev.chatops.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Lambda's container credentials endpoint, the way SnapStart hands out the execution role's
 * credentials ({@code AWS_CONTAINER_CREDENTIALS_FULL_URI} and
 * {@code AWS_CONTAINER_AUTHORIZATION_TOKEN}, no key variables): a loopback HTTP server that answers
 * a GET whose {@code Authorization} header is its token with {@code AccessKeyId},
 * {@code SecretAccessKey}, {@code Token} and {@code Expiration} (now, by its clock, plus a lifetime),
 * and any other request with 401. Every answer is a new set, numbered from 1 ({@link #accessKeyId}),
 * so a test tells a fetch from a reuse; it counts what it was asked and what it served.
 */
public final class ContainerCredentialsEndpoint implements AutoCloseable {
    /** The path it serves; any other answers 404. */
    public static final String PATH = "/2021-04-23/credentials";

    private final String token;
    private final Clock clock;
    private final HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger served = new AtomicInteger();
    private volatile Duration lifetime;
    private volatile int forcedStatus;

    private ContainerCredentialsEndpoint(String token, Clock clock, Duration lifetime) {
        this.token = token;
        this.clock = clock;
        this.lifetime = lifetime;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a loopback port", e);
        }
        server.createContext("/", this::handle);
        server.start();
    }

    /** Started on a free loopback port; credentials it serves expire {@code lifetime} after {@code clock}'s now. */
    public static ContainerCredentialsEndpoint start(String token, Clock clock, Duration lifetime) {
        return new ContainerCredentialsEndpoint(token, clock, lifetime);
    }

    /** The full URI to give as {@code AWS_CONTAINER_CREDENTIALS_FULL_URI}. */
    public String uri() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + PATH;
    }

    public String token() {
        return token;
    }

    /** The two variables SnapStart sets instead of the key variables. */
    public Map<String, String> environment() {
        return Map.of("AWS_CONTAINER_CREDENTIALS_FULL_URI", uri(), "AWS_CONTAINER_AUTHORIZATION_TOKEN", token);
    }

    /** The access key id of the {@code n}th set served (from 1). */
    public static String accessKeyId(int n) {
        return String.format("ASIA%016d", n);
    }

    public static String secretAccessKey(int n) {
        return "containerSecretAccessKey/" + n + "/wJalrXUtnFEMIK7MDENGbPxRfiCY";
    }

    public static String sessionToken(int n) {
        return "containerSessionToken/" + n + "/IQoJb3JpZ2luX2VjEJr";
    }

    /** How long the next sets served are valid for. */
    public void lifetime(Duration lifetime) {
        this.lifetime = lifetime;
    }

    /** Answer every request with {@code status} and no credentials (0: serve again). */
    public void answerWith(int status) {
        this.forcedStatus = status;
    }

    /** Requests received, refused ones included. */
    public int requests() {
        return requests.get();
    }

    /** Sets of credentials served. */
    public int served() {
        return served.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            requests.incrementAndGet();
            exchange.getRequestBody().readAllBytes();
            int status;
            String body = "";
            if (forcedStatus != 0) {
                status = forcedStatus;
            } else if (!exchange.getRequestURI().getPath().equals(PATH)) {
                status = 404;
            } else if (!"GET".equals(exchange.getRequestMethod())
                    || !token.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                status = 401;
                body = "{\"message\":\"invalid authorization token\"}";
            } else {
                int n = served.incrementAndGet();
                status = 200;
                body = "{\"AccessKeyId\":\"" + accessKeyId(n) + "\",\"SecretAccessKey\":\"" + secretAccessKey(n)
                        + "\",\"Token\":\"" + sessionToken(n) + "\",\"Expiration\":\""
                        + DateTimeFormatter.ISO_INSTANT.format(
                                clock.instant().plus(lifetime).truncatedTo(ChronoUnit.SECONDS))
                        + "\"}";
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                exchange.getResponseBody().write(bytes);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
