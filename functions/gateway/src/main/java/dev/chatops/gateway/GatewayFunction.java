package dev.chatops.gateway;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.chatops.shared.Env;
import dev.chatops.shared.Json;
import dev.chatops.shared.Log;
import dev.chatops.shared.command.Catalog;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;

/**
 * The Lambda handler behind {@code POST /slack/commands} and {@code POST /slack/interactions}
 * (HTTP API, payload format 2.0): a thin adapter from the event to {@link Gateway} and back, by the
 * route API Gateway matched. Bodies of errors carry nothing: what went wrong is in the logs, under
 * the request id.
 */
public final class GatewayFunction implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    private static final Map<String, String> JSON = Map.of("content-type", "application/json; charset=utf-8");
    /** The interactivity URL's route (template.yaml), as API Gateway names it in the event. */
    static final String INTERACTIONS_ROUTE = "POST /slack/interactions";
    static final String INTERACTIONS_PATH = "/slack/interactions";

    private final Gateway gateway;

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
        this.gateway = new Gateway(config, secret, new LambdaDispatcher(aws), Catalog.standard(), clock);
    }

    /** Secrets Manager's GetSecretValue: the secret's string, or an exception naming only the secret id. */
    private static String fetchSecret(AwsRequests aws, String secretId) {
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
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        String requestId = event.getRequestContext() != null && event.getRequestContext().getRequestId() != null
                ? event.getRequestContext().getRequestId() : UUID.randomUUID().toString();
        Log.forRequest(requestId);
        try {
            byte[] body = bodyOf(event);
            Gateway.Response response = body == null
                    ? new Gateway.Response(400, "")
                    : isInteraction(event)
                    ? gateway.handleInteraction(event.getHeaders(), body, requestId)
                    : gateway.handle(event.getHeaders(), body, requestId);
            return APIGatewayV2HTTPResponse.builder()
                    .withStatusCode(response.status())
                    .withHeaders(response.body().isEmpty() ? Map.of() : JSON)
                    .withBody(response.body())
                    .build();
        } catch (RuntimeException e) {
            Log.error("gateway.failed", e);
            return APIGatewayV2HTTPResponse.builder().withStatusCode(500).withBody("").build();
        } finally {
            Log.clearRequest();
        }
    }

    /**
     * Whether the event came by the interactivity URL: by its route key, which API Gateway sets to
     * the route it matched; by its path only when that names no route (an event written by hand, as
     * for {@code sam local invoke}, or a catch-all {@code $default} route). Everything else is the
     * commands URL, as before there were two.
     */
    static boolean isInteraction(APIGatewayV2HTTPEvent event) {
        String routeKey = event.getRouteKey();
        if (routeKey != null && !routeKey.isEmpty() && !routeKey.equals("$default")) {
            return routeKey.equals(INTERACTIONS_ROUTE);
        }
        return INTERACTIONS_PATH.equals(event.getRawPath());
    }

    private static byte[] bodyOf(APIGatewayV2HTTPEvent event) {
        String body = event.getBody();
        if (body == null) {
            return new byte[0];
        }
        if (!event.getIsBase64Encoded()) {
            return body.getBytes(StandardCharsets.UTF_8);
        }
        try {
            return Base64.getDecoder().decode(body);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
