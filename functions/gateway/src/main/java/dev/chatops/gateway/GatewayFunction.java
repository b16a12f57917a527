package dev.chatops.gateway;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.chatops.shared.Env;
import dev.chatops.shared.Json;
import dev.chatops.shared.Log;
import dev.chatops.shared.Priming;
import dev.chatops.shared.command.Catalog;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.UUID;

/**
 * The Lambda handler behind {@code POST /slack/commands} and {@code POST /slack/interactions}
 * (HTTP API, payload format 2.0): a thin adapter from the event to {@link Gateway} and back, by the
 * route API Gateway matched. A stream handler: it reads the event's few fields itself
 * ({@link HttpEvent}) and pays nothing for Lambda's typed-event deserialiser. Bodies of errors
 * carry nothing: what went wrong is in the logs, under the request id.
 */
public final class GatewayFunction implements RequestStreamHandler {
    /** The interactivity URL's route (template.yaml), as API Gateway names it in the event. */
    static final String INTERACTIONS_ROUTE = "POST /slack/interactions";
    static final String INTERACTIONS_PATH = "/slack/interactions";

    private final Gateway gateway;
    /** Held: Lambda's runtime client keeps hooks only by weak reference. Null when the gateway was given. */
    private final Priming priming;

    /** Lambda's constructor: configuration from the environment, AWS clients from the SDK's defaults. */
    public GatewayFunction() {
        this(Env.system());
    }

    /** Configuration from {@code env}; AWS endpoints, region and credentials from the SDK's standard settings. */
    public GatewayFunction(Env env) {
        this(env, Clock.systemUTC());
    }

    /** As {@link #GatewayFunction(Env)}, with {@code clock} for signatures' timestamps and the secret's refreshes. */
    GatewayFunction(Env env, Clock clock) {
        GatewayConfig config = GatewayConfig.from(env);
        AwsRequests aws = new AwsRequests();
        SigningSecret secret = new SigningSecret(() -> fetchSecret(aws, config.signingSecretId()), clock);
        Catalog catalog = Catalog.standard();
        this.gateway = new Gateway(config, secret, new LambdaDispatcher(aws), catalog, clock);
        this.priming = Priming.register("GatewayFunction", new GatewayPriming(config, catalog, clock));
    }

    /** Secrets Manager's GetSecretValue: the secret's string, or an exception naming only the secret id. */
    static String fetchSecret(AwsRequests aws, String secretId) {
        AwsRequests.Response response;
        try {
            response = aws.post(
                    AwsRequests.Service.SECRETS_MANAGER,
                    "/",
                    Map.of(
                            "X-Amz-Target",
                            "secretsmanager.GetSecretValue",
                            "Content-Type",
                            "application/x-amz-json-1.1"),
                    Json.write(Map.of("SecretId", secretId)).getBytes(StandardCharsets.UTF_8),
                    SigningSecret.FETCH_TIMEOUT);
        } catch (IOException e) {
            throw new IllegalStateException("could not read secret " + secretId, e);
        }
        Object value = response.status() == 200 ? Json.readObject(response.body()).get("SecretString") : null;
        if (value == null) {
            throw new IllegalStateException("could not read secret " + secretId + ": status " + response.status());
        }
        return String.valueOf(value);
    }

    public GatewayFunction(Gateway gateway) {
        this.gateway = gateway;
        this.priming = null;
    }

    /** The SnapStart hook this function registered (null when constructed with a gateway). */
    Priming priming() {
        return priming;
    }

    /**
     * One request: the event read from {@code input} ({@link HttpEvent}), the answer written to
     * {@code output} in payload format 2.0. An event that cannot be read is answered 400; a crash 500.
     */
    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        HttpEvent event;
        try {
            event = HttpEvent.read(input);
        } catch (IllegalArgumentException e) {
            Log.warn("gateway.unreadable_event", "reason", e.getMessage());
            output.write(HttpEvent.response(400, ""));
            return;
        }
        output.write(respond(gateway, event));
    }

    /** {@code gateway}'s answer to {@code event}, with its log lines and ack metrics: the request path, primed too. */
    static byte[] respond(Gateway gateway, HttpEvent event) {
        long started = System.nanoTime();
        String requestId = event.requestId() != null ? event.requestId() : UUID.randomUUID().toString();
        Log.forRequest(requestId);
        boolean interaction = isInteraction(event);
        Gateway.Response response;
        try {
            byte[] body = event.bodyBytes();
            response = body == null
                    ? Gateway.Response.empty(400)
                    : interaction
                    ? gateway.handleInteraction(event.headers(), body, requestId)
                    : gateway.handle(event.headers(), body, requestId);
        } catch (RuntimeException e) {
            Log.error("gateway.failed", e);
            response = Gateway.Response.empty(500);
        }
        try {
            AckMetrics.emit(interaction ? "interactions" : "commands", response.ack(),
                    (System.nanoTime() - started) / 1_000_000.0);
        } finally {
            Log.clearRequest();
        }
        return HttpEvent.response(response.status(), response.body());
    }

    /**
     * Whether the event came by the interactivity URL: by its route key, which API Gateway sets to
     * the route it matched; by its path only when that names no route (an event written by hand, as
     * for {@code sam local invoke}, or a catch-all {@code $default} route). Everything else is the
     * commands URL, as before there were two.
     */
    static boolean isInteraction(HttpEvent event) {
        String routeKey = event.routeKey();
        if (routeKey != null && !routeKey.isEmpty() && !routeKey.equals("$default")) {
            return routeKey.equals(INTERACTIONS_ROUTE);
        }
        return INTERACTIONS_PATH.equals(event.rawPath());
    }
}
