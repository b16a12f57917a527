package dev.chatops.gateway;

import dev.chatops.shared.Json;
import dev.chatops.shared.command.Catalog;
import dev.chatops.shared.edge.FormBody;
import dev.chatops.shared.edge.SlackSignature;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The gateway's SnapStart warm-up ({@link dev.chatops.shared.Priming}): a signed sample
 * {@code run whoami}, written as API Gateway writes the event, goes through the handler's own path
 * (read the event, verify the signature, parse the command, dispatch, render the ack and its
 * metrics) into a {@link Gateway} of its own, whose dispatcher builds and signs the Lambda Invoke
 * ({@link AwsRequests#prime}) and sends nothing. The sample is signed with a secret only that
 * gateway knows; the function's own gateway, its signing secret and its credentials are untouched,
 * and nothing is fetched. It fails unless the sample was acknowledged and its Invoke signed.
 */
final class GatewayPriming implements Runnable {
    /** The priming gateway's secret: a constant (nothing unique goes into a snapshot); the real gateway refuses it. */
    static final String SECRET = "snapstart-priming-sample";

    private final GatewayConfig config;
    private final AwsRequests aws;
    private final Catalog catalog;
    private final Clock clock;

    GatewayPriming(GatewayConfig config, AwsRequests aws, Catalog catalog, Clock clock) {
        this.config = config;
        this.aws = aws;
        this.catalog = catalog;
        this.clock = clock;
    }

    @Override
    public void run() {
        AtomicInteger signed = new AtomicInteger();
        LambdaDispatcher dispatcher = new LambdaDispatcher((service, path, headers, body, timeout) -> {
            aws.prime(service, path, headers, body);
            signed.incrementAndGet();
            return new AwsRequests.Response(202, "");
        });
        Gateway gateway = new Gateway(config, new SigningSecret(() -> SECRET, clock), dispatcher, catalog, clock);
        HttpEvent event = HttpEvent.read(new ByteArrayInputStream(sampleEvent()));
        Map<String, Object> answer = Json.readObject(new String(GatewayFunction.respond(gateway, event),
                StandardCharsets.UTF_8));
        if (!Integer.valueOf(200).equals(answer.get("statusCode")) || signed.get() != 1) {
            throw new IllegalStateException("the priming sample was not dispatched: status "
                    + answer.get("statusCode") + ", " + signed.get() + " invokes signed");
        }
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
