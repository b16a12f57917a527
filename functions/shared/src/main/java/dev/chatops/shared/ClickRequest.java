package dev.chatops.shared;

import java.io.InputStream;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A button a person clicked in one of ChatOps' messages, as the gateway hands it to the function
 * that owns the button's command (asynchronously, like a {@link CommandRequest}). Read from Slack's
 * {@code block_actions} payload after its signature was verified: who clicked (Slack user, team,
 * Enterprise Grid organisation), where, which button ({@code action_id} {@code <command>.<action>},
 * as {@code feature.approve}), its value (an opaque id: what it stands for is read from DynamoDB,
 * never from the payload) and the click's response_url, which can replace the message in place.
 *
 * <p>On the wire: {@code {"version":1,"click":{…}}}, so a function tells it from a command request
 * by its one top-level key.
 */
public record ClickRequest(String requestId, String teamId, String enterpriseId, String userId, String userName,
                           String channelId, String command, String action, String value, String responseUrl,
                           Instant receivedAt) {
    public static final int VERSION = 1;

    /** The Slack workspace whose links the clicker's is one of, as {@link CommandRequest#workspace()}. */
    public String workspace() {
        return enterpriseId == null || enterpriseId.isEmpty() ? teamId : enterpriseId;
    }

    /** {@code <command>.<action>}: the button's {@code action_id}. */
    public String actionId() {
        return command + "." + action;
    }

    public String toJson() {
        Map<String, Object> click = new LinkedHashMap<>();
        click.put("requestId", requestId);
        click.put("teamId", teamId);
        click.put("enterpriseId", enterpriseId);
        click.put("userId", userId);
        click.put("userName", userName);
        click.put("channelId", channelId);
        click.put("command", command);
        click.put("action", action);
        click.put("value", value);
        click.put("responseUrl", responseUrl);
        click.put("receivedAt", receivedAt.toString());
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("version", VERSION);
        json.put("click", click);
        return Json.write(json);
    }

    public static ClickRequest fromJson(String json) {
        return of(Json.readObject(json)).orElseThrow(() -> new IllegalArgumentException("not a click"));
    }

    public static ClickRequest fromJson(InputStream json) {
        return of(Json.readObject(json)).orElseThrow(() -> new IllegalArgumentException("not a click"));
    }

    /**
     * The click in an event's JSON object, empty when the object is not a click (a command request);
     * a click of another version or without a required field is an {@link IllegalArgumentException}.
     */
    public static Optional<ClickRequest> of(Map<String, Object> json) {
        if (json == null || !(json.get("click") instanceof Map<?, ?> raw)) {
            return Optional.empty();
        }
        Object version = json.get("version");
        if (!(version instanceof Number n) || n.intValue() != VERSION) {
            throw new IllegalArgumentException("unsupported click version: " + version);
        }
        Map<String, Object> click = new LinkedHashMap<>();
        raw.forEach((k, v) -> click.put(String.valueOf(k), v));
        return Optional.of(new ClickRequest(required(click, "requestId"), required(click, "teamId"),
                optional(click, "enterpriseId"), required(click, "userId"), optional(click, "userName"),
                required(click, "channelId"), required(click, "command"), required(click, "action"),
                required(click, "value"), required(click, "responseUrl"),
                Instant.parse(required(click, "receivedAt"))));
    }

    private static String required(Map<String, Object> json, String name) {
        Object value = json.get(name);
        if (value == null || String.valueOf(value).isEmpty()) {
            throw new IllegalArgumentException("click without " + name);
        }
        return String.valueOf(value);
    }

    private static String optional(Map<String, Object> json, String name) {
        Object value = json.get(name);
        return value == null ? "" : String.valueOf(value);
    }
}
