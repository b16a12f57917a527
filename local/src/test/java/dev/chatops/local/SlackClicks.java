package dev.chatops.local;

import dev.chatops.testing.CaptureServer;
import dev.chatops.testing.SlackRequests;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Clicks on a button of a message the local stack posted, as Slack sends them to the interactivity
 * URL: the {@code block_actions} payload of Slack's reference ({@link SlackRequests#blockActions}) for
 * the local workspace, the channel, the button as posted and the message as Slack holds it, signed
 * by the tests' own signer and POSTed with Slack's headers.
 */
final class SlackClicks {
    private SlackClicks() {
    }

    /** The payload of {@code user}'s click on the button of {@code message} whose text is {@code text}. */
    static Map<String, Object> payload(CaptureServer.Post message, String text, String user, String userName,
                                       String channel, String responseUrl) {
        CaptureServer.Button button = CaptureServer.buttonsOf(message).stream()
                .filter(b -> b.text().equals(text)).findFirst()
                .orElseThrow(() -> new AssertionError("no button " + text + " in " + CaptureServer.textOf(message)));
        Map<String, Object> payload = SlackRequests.blockActions(button.actionId(), button.value(), user,
                responseUrl);
        change(payload, "team", team -> team.put("id", LocalStack.LOCAL_TEAM));
        change(payload, "user", u -> {
            u.put("username", userName);
            u.put("name", userName);
            u.put("team_id", LocalStack.LOCAL_TEAM);
        });
        change(payload, "channel", c -> c.put("id", channel));
        change(payload, "container", container -> container.put("channel_id", channel));
        // The message as Slack holds it once posted: where to post it is no longer part of it.
        Map<String, Object> held = new LinkedHashMap<>(message.json());
        held.remove("response_type");
        held.remove("replace_original");
        held.put("type", "message");
        held.put("bot_id", "B0LOCAL");
        held.put("ts", "1764028800.000100");
        payload.put("message", held);
        @SuppressWarnings("unchecked")
        Map<String, Object> action = (Map<String, Object>) ((List<Object>) payload.get("actions")).get(0);
        action.put("text", Map.of("type", "plain_text", "text", button.text(), "emoji", true));
        action.put("style", button.style());
        return payload;
    }

    /** POSTs a form body to the stack's interactivity URL with Slack's headers; no signature when it is "". */
    static HttpResponse<String> post(HttpClient http, LocalStack stack, byte[] body, long timestamp, String signature)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(stack.url("/slack/interactions")))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("User-Agent", "Slackbot 1.0 (+https://api.slack.com/robots)")
                .header("X-Slack-Request-Timestamp", Long.toString(timestamp))
                .timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (!signature.isEmpty()) {
            request.header("X-Slack-Signature", signature);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @SuppressWarnings("unchecked")
    private static void change(Map<String, Object> payload, String name, Consumer<Map<String, Object>> change) {
        change.accept((Map<String, Object>) payload.get(name));
    }
}
