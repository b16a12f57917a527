package dev.chatops.bench;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import dev.chatops.local.LocalStack;
import dev.chatops.shared.CommandRequest;
import dev.chatops.shared.Json;
import dev.chatops.shared.edge.CommandText;
import dev.chatops.testing.SlackRequests;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The events the benchmark sends: signed slash commands as the HTTP API delivers them, and command requests. */
final class BenchEvents {
    private BenchEvents() {
    }

    /**
     * {@code line} (a command's name, its arguments and options, as typed after {@code run}) typed
     * by the local stack's linked admin (a maintainer with 2FA on the ops instance), read into words
     * and options as the gateway reads them.
     */
    static CommandRequest asLocalAdmin(String line, String responseUrl) {
        CommandText text = CommandText.parse(line);
        List<String> words = text.words();
        return new CommandRequest(UUID.randomUUID().toString(), LocalStack.LOCAL_TEAM, "", LocalStack.LOCAL_ADMIN,
                "admin", "C1", "ops", "/chatops", words.get(0), words.subList(1, words.size()), text.options(),
                text.rawAfterWords(1), responseUrl, Instant.now());
    }

    /** {@code whoami} from a Slack account nobody linked. */
    static CommandRequest whoamiUnlinked(String responseUrl) {
        return new CommandRequest(UUID.randomUUID().toString(), "TBENCH", "", "UBENCH", "bench", "C1", "ops",
                "/chatops", "whoami", List.of(), Map.of(), "", responseUrl, Instant.now());
    }

    /** An HTTP API payload (format 2.0) as JSON, the way Lambda hands it to a handler's input stream. */
    static String gatewayEvent(String text, String secret) {
        APIGatewayV2HTTPEvent event = event(text, secret, Instant.now().getEpochSecond(), "UBENCH");
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("version", "2.0");
        json.put("routeKey", "POST /slack/commands");
        json.put("rawPath", "/slack/commands");
        json.put("rawQueryString", "");
        json.put("headers", event.getHeaders());
        json.put("requestContext", Map.of("requestId", UUID.randomUUID().toString(), "routeKey",
                "POST /slack/commands", "http", Map.of("method", "POST", "path", "/slack/commands")));
        json.put("body", event.getBody());
        json.put("isBase64Encoded", true);
        return Json.write(json);
    }

    static APIGatewayV2HTTPEvent event(String text, String secret, long timestamp, String userId) {
        byte[] body = SlackRequests.formBody(
                SlackRequests.slashCommand(text, userId, "https://hooks.slack.com/commands/T1/1/bench"));
        Map<String, String> headers = new HashMap<>();
        headers.put("content-type", "application/x-www-form-urlencoded");
        headers.put("host", "bench.execute-api.us-east-1.amazonaws.com");
        headers.put("x-forwarded-proto", "https");
        headers.put("x-slack-request-timestamp", Long.toString(timestamp));
        headers.put("x-slack-signature", SlackRequests.sign(secret, timestamp, body));
        APIGatewayV2HTTPEvent event = new APIGatewayV2HTTPEvent();
        event.setHeaders(headers);
        event.setBody(Base64.getEncoder().encodeToString(body));
        event.setIsBase64Encoded(true);
        event.setRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder()
                .withRequestId(UUID.randomUUID().toString()).build());
        return event;
    }
}
