package dev.chatops.gateway;

import dev.chatops.shared.Json;
import dev.chatops.shared.PrimingServer;
import dev.chatops.shared.command.Catalog;
import dev.chatops.shared.edge.FormBody;
import dev.chatops.shared.edge.SlackSignature;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The gateway's SnapStart warm-up ({@link dev.chatops.shared.Priming}): a signed sample
 * {@code run whoami}, written as API Gateway writes the event, goes through the handler's own path
 * (read the event, verify the signature, parse the command, dispatch, render the ack and its
 * metrics) into a {@link Gateway} of its own, whose every AWS request — the execution role's
 * credentials, the signing secret, the Lambda Invoke — is sent by the gateway's own code to a
 * {@link PrimingServer} on loopback, answering with throwaway credentials and a constant secret.
 * The function's own gateway, its signing secret and its credentials are untouched, and nothing
 * leaves the process. It fails unless the sample was acknowledged after each of those requests.
 */
final class GatewayPriming implements Runnable {
    /** The priming gateway's secret: a constant (nothing unique goes into a snapshot); the real gateway refuses it. */
    static final String SECRET = "snapstart-priming-sample";
    private static final String CREDENTIALS_PATH = "/snapstart-priming/credentials";

    private final GatewayConfig config;
    private final Catalog catalog;
    private final Clock clock;

    GatewayPriming(GatewayConfig config, Catalog catalog, Clock clock) {
        this.config = config;
        this.catalog = catalog;
        this.clock = clock;
    }

    @Override
    public void run() {
        try (PrimingServer loopback = PrimingServer.start(this::answer)) {
            Map<String, String> settings = Map.of(ExecutionRole.FULL_URI, loopback.url() + CREDENTIALS_PATH,
                    ExecutionRole.AUTHORIZATION_TOKEN, "snapstart-priming");
            ExecutionRole role = new ExecutionRole(
                    (variable, property) -> Optional.ofNullable(settings.get(variable)), clock);
            AwsRequests aws = new AwsRequests(role, loopback.url());
            SigningSecret secret = new SigningSecret(() -> GatewayFunction.fetchSecret(aws, "snapstart-priming"),
                    clock);
            Gateway gateway = new Gateway(config, secret, new LambdaDispatcher(aws), catalog, clock);
            HttpEvent event = HttpEvent.read(new ByteArrayInputStream(sampleEvent()));
            Map<String, Object> answer = Json.readObject(new String(GatewayFunction.respond(gateway, event),
                    StandardCharsets.UTF_8));
            List<String> sent = loopback.requests().stream().map(r -> r.method() + " " + r.path()).toList();
            if (!Integer.valueOf(200).equals(answer.get("statusCode")) || sent.size() != 3
                    || !sent.get(2).endsWith("/invocations")) {
                throw new IllegalStateException("the priming sample was not dispatched: status "
                        + answer.get("statusCode") + " after " + sent);
            }
        }
    }

    /** The loopback server's answers: throwaway credentials, the constant secret, Lambda's 202. */
    private PrimingServer.Answer answer(PrimingServer.Request request) {
        if (request.path().equals(CREDENTIALS_PATH)) {
            return new PrimingServer.Answer(200, Json.write(Map.of("AccessKeyId", "AKIDSNAPSTARTPRIMING",
                    "SecretAccessKey", "snapstart-priming", "Token", "snapstart-priming",
                    "Expiration", clock.instant().plus(Duration.ofHours(1)).toString())));
        }
        if (request.target().equals("secretsmanager.GetSecretValue")) {
            return new PrimingServer.Answer(200, Json.write(Map.of("Name", "snapstart-priming",
                    "SecretString", SECRET)));
        }
        return new PrimingServer.Answer(202, "");
    }

    /** An HTTP API event (payload format 2.0) carrying a slash command signed with {@link #SECRET}. */
    private byte[] sampleEvent() {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("token", "priming");
        form.put("team_id", "T00PRIMING");
        form.put("team_domain", "priming");
        form.put("channel_id", "C00PRIMING");
        form.put("channel_name", "priming");
        form.put("user_id", "U00PRIMING");
        form.put("user_name", "priming");
        form.put("command", "/chatops");
        form.put("text", "run whoami");
        form.put("api_app_id", "A00PRIMING");
        form.put("response_url", config.responseUrls().sample("/commands/T00PRIMING/0/priming"));
        form.put("trigger_id", "0.0.priming");
        byte[] body = FormBody.encode(form).getBytes(StandardCharsets.UTF_8);
        long timestamp = clock.instant().getEpochSecond();
        Map<String, Object> headers = new LinkedHashMap<>();
        headers.put("content-type", "application/x-www-form-urlencoded");
        headers.put("user-agent", "Slackbot 1.0 (+https://api.slack.com/robots)");
        headers.put(SlackSignature.TIMESTAMP_HEADER, Long.toString(timestamp));
        headers.put(SlackSignature.SIGNATURE_HEADER, SlackSignature.sign(SECRET, timestamp, body));
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("version", "2.0");
        event.put("routeKey", "POST /slack/commands");
        event.put("rawPath", "/slack/commands");
        event.put("headers", headers);
        event.put("requestContext", Map.of("requestId", "snapstart-priming", "http", Map.of("method", "POST")));
        event.put("body", Base64.getEncoder().encodeToString(body));
        event.put("isBase64Encoded", true);
        return Json.write(event).getBytes(StandardCharsets.UTF_8);
    }
}
