package dev.chatops.local;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.chatops.shared.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;

/**
 * The container credentials endpoint through which Lambda hands a SnapStart function its
 * execution role's credentials: each function gets {@code AWS_CONTAINER_CREDENTIALS_FULL_URI} and
 * an {@code AWS_CONTAINER_AUTHORIZATION_TOKEN} of its own, and a GET with that token in the
 * {@code Authorization} header answers {@code AccessKeyId}, {@code SecretAccessKey}, {@code Token}
 * and {@code Expiration} — keys of that function's role only, which the AWS front door
 * ({@link AwsFrontDoor}) recognises and authorises against that role.
 */
final class ContainerCredentials implements AutoCloseable {
    static final String PATH = "/2021-04-23/credentials";
    private static final Duration LIFETIME = Duration.ofHours(6);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Whose keys these are: the function, its role, and the keys themselves. */
    record Identity(String functionId, String role, String accessKeyId, String secretAccessKey, String sessionToken,
                    Instant expiration) {
        /** What AWS names the caller in a denial: the role assumed by the function. */
        String arn() {
            return "arn:aws:sts::" + LambdaFunction.ACCOUNT + ":assumed-role/" + role + "/" + functionId;
        }

        /** Never the secret key or the session token, wherever an identity is printed. */
        @Override
        public String toString() {
            return "Identity[" + functionId + ", " + role + ", " + accessKeyId + ", until " + expiration + "]";
        }
    }

    private final HttpServer server;
    private final Map<String, Identity> byToken = new ConcurrentHashMap<>();
    private final Map<String, Identity> byAccessKey = new ConcurrentHashMap<>();

    private final Duration lifetime;

    ContainerCredentials() {
        this(LIFETIME);
    }

    /** @param lifetime how long issued keys last; new ones are handed out in the last quarter of that */
    ContainerCredentials(Duration lifetime) {
        this.lifetime = lifetime;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 32);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newFixedThreadPool(2, r -> {
            Thread thread = new Thread(r, "container-credentials");
            thread.setDaemon(true);
            return thread;
        }));
        server.createContext(PATH, this::handle);
        server.start();
    }

    String uri() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + PATH;
    }

    /** Issues keys of {@code role} for {@code functionId}; returns the authorization token the function is given. */
    String issue(String functionId, String role) {
        String token = random(32);
        byToken.put(token, keys(functionId, role));
        return token;
    }

    private Identity keys(String functionId, String role) {
        Identity identity = new Identity(functionId, role, "ASIA" + random(8).toUpperCase(Locale.ROOT),
                random(20), random(48), Instant.now().plus(lifetime));
        byAccessKey.put(identity.accessKeyId(), identity);
        return identity;
    }

    /**
     * The keys a token currently stands for: new ones once the current keys are in the last quarter
     * of their life, as Lambda rotates a function's credentials well before they expire (the old
     * ones stay valid until then, for requests already signed with them).
     */
    private Identity current(String token) {
        return byToken.computeIfPresent(token, (t, identity) ->
                Instant.now().isAfter(identity.expiration().minus(lifetime.dividedBy(4)))
                        ? keys(identity.functionId(), identity.role()) : identity);
    }

    /**
     * The keys currently issued for {@code functionId}, which Lambda itself uses for the function's
     * destinations and event sources.
     */
    Identity identityOf(String functionId) {
        String token = byToken.entrySet().stream().filter(e -> e.getValue().functionId().equals(functionId))
                .map(Map.Entry::getKey).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no keys issued for " + functionId));
        return current(token);
    }

    /** Whose access key this is, if this endpoint issued it. */
    Optional<Identity> identity(String accessKeyId) {
        return Optional.ofNullable(byAccessKey.get(accessKeyId));
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String token = exchange.getRequestHeaders().getFirst("Authorization");
            Identity identity = token == null ? null : lookup(token);
            byte[] body;
            int status;
            if (!"GET".equals(exchange.getRequestMethod())) {
                status = 405;
                body = "{\"message\":\"GET only\"}".getBytes(StandardCharsets.UTF_8);
            } else if (identity == null) {
                status = 403;
                body = "{\"message\":\"Authorization token is missing or not valid\"}".getBytes(StandardCharsets.UTF_8);
            } else {
                Map<String, Object> keys = new LinkedHashMap<>();
                keys.put("AccessKeyId", identity.accessKeyId());
                keys.put("SecretAccessKey", identity.secretAccessKey());
                keys.put("Token", identity.sessionToken());
                keys.put("Expiration", identity.expiration().toString());
                status = 200;
                body = Json.write(keys).getBytes(StandardCharsets.UTF_8);
            }
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
        }
    }

    /** The token's current keys, the token compared in constant time (it is a credential). */
    private Identity lookup(String token) {
        for (String issued : byToken.keySet()) {
            if (MessageDigest.isEqual(
                    issued.getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8))) {
                return current(issued);
            }
        }
        return null;
    }

    private static String random(int bytes) {
        byte[] value = new byte[bytes];
        RANDOM.nextBytes(value);
        return HexFormat.of().formatHex(value);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
