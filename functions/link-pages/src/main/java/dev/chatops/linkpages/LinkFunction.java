package dev.chatops.linkpages;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.chatops.shared.Env;
import dev.chatops.shared.Log;
import dev.chatops.shared.Priming;
import dev.chatops.shared.runtime.Services;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The Lambda handler behind {@code GET /link/start} and {@code GET /link/callback}: a thin adapter
 * from the HTTP API event to {@link Linking}, whose answers are small HTML pages and redirects.
 */
public final class LinkFunction implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    /** SnapStart's hook (a reply and the SDK's requests, to loopback), held: Lambda keeps it by weak reference. */
    private final Priming priming;
    /** The OAuth application's id on the chatops instance. */
    public static final String OAUTH_CLIENT_ID = "GITLAB_OAUTH_CLIENT_ID";
    /** Secrets Manager id of the OAuth application's secret. */
    public static final String OAUTH_SECRET_ID = "GITLAB_OAUTH_SECRET_ID";

    private final Linking linking;

    /** Lambda's constructor: configuration from the process environment. */
    public LinkFunction() {
        this(Env.system());
    }

    /** Configuration from {@code env} (the local runner's), AWS clients from the SDK's standard configuration. */
    public LinkFunction(Env env) {
        this(Services.fromEnvironment(env), env);
    }

    /**
     * Linking needs the GitLab OAuth application, which can only be registered after the first deploy
     * (its redirect URI is this API's): until both its id and its secret are configured, every
     * linking page says so and changes nothing.
     */
    public LinkFunction(Services services, Env env) {
        Optional<String> clientId = env.optional(OAUTH_CLIENT_ID);
        Optional<String> secretId = env.optional(OAUTH_SECRET_ID);
        this.linking = new Linking(services, clientId.isPresent() && secretId.isPresent()
                ? Optional.of(new Linking.OAuthApplication(clientId.get(), services.secret(secretId.get())))
                : Optional.empty());
        this.priming = services.registerPriming("LinkFunction");
    }

    /** The SnapStart hook this function registered. */
    Priming priming() {
        return priming;
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        String requestId = event.getRequestContext() != null && event.getRequestContext().getRequestId() != null
                ? event.getRequestContext().getRequestId() : UUID.randomUUID().toString();
        Log.forRequest(requestId);
        try {
            Map<String, String> query = Linking.query(event.getRawQueryString());
            Map<String, String> headers = event.getHeaders() == null ? Map.of() : event.getHeaders();
            Linking.Page page = switch (event.getRawPath() == null ? "" : event.getRawPath()) {
                case "/link/start" -> linking.start(query, headers);
                case "/link/callback" -> linking.callback(query, headers);
                default -> Linking.Page.html(404, "Not found", "There is nothing here.");
            };
            return APIGatewayV2HTTPResponse.builder().withStatusCode(page.status()).withHeaders(page.headers())
                    .withBody(page.body()).build();
        } catch (RuntimeException e) {
            Log.error("link.failed", e);
            Linking.Page page = Linking.Page.html(500, "Something went wrong",
                    "ChatOps could not finish linking. Try again from Slack in a minute. Reference: " + requestId);
            return APIGatewayV2HTTPResponse.builder().withStatusCode(page.status()).withHeaders(page.headers())
                    .withBody(page.body()).build();
        } finally {
            Log.clearRequest();
        }
    }
}
