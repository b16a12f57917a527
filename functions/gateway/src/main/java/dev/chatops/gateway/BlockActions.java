package dev.chatops.gateway;

import dev.chatops.shared.ClickRequest;
import dev.chatops.shared.Json;
import dev.chatops.shared.command.Catalog;
import dev.chatops.shared.command.CommandSpec;
import dev.chatops.shared.command.Form;
import dev.chatops.shared.edge.FormBody;
import dev.chatops.shared.edge.ResponseUrlPolicy;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a click on one of ChatOps' buttons from a verified interaction request: Slack's
 * {@code block_actions} payload, a JSON document in the form field {@code payload} (Slack's
 * "block_actions payload" reference). Only what a ChatOps button can be is a click: one action,
 * its {@code action_id} {@code <command>.<action>} naming a command of the catalogue, its
 * {@code value} an opaque id, its {@code response_url} on the allow-list. Anything else is read as
 * nothing, with a reason for the log that quotes nothing of the payload.
 */
final class BlockActions {
    /** {@code <command>.<action>}: the command as the catalogue names it, the action a short word. */
    private static final Pattern ACTION_ID = Pattern.compile("([a-z_]{1,40})\\.([a-z_]{1,20})");
    /** An approval id: what it stands for is read from DynamoDB by the function, never from the payload. */
    private static final Pattern VALUE = Pattern.compile("[A-Za-z0-9_-]{1,100}");

    /** A click and the command whose function owns it. */
    record Click(CommandSpec spec, ClickRequest request) {
    }

    /** Either a click, or why the payload is none. */
    record Outcome(Optional<Click> click, String ignoredBecause) {
        static Outcome ignored(String reason) {
            return new Outcome(Optional.empty(), reason);
        }
    }

    private BlockActions() {
    }

    /**
     * The click in {@code body}, an {@code application/x-www-form-urlencoded} body whose signature was
     * verified; {@code requestId} and {@code receivedAt} are the gateway's.
     */
    static Outcome read(byte[] body, String requestId, Catalog catalog, ResponseUrlPolicy responseUrls,
                        Instant receivedAt) {
        Optional<String> field;
        try {
            field = FormBody.parse(new String(body, StandardCharsets.UTF_8)).get("payload");
        } catch (IllegalArgumentException e) {
            return Outcome.ignored("not a form");
        }
        if (field.isEmpty()) {
            return Outcome.ignored("no payload field");
        }
        Map<String, Object> payload;
        try {
            payload = Json.readObject(field.get());
        } catch (IllegalArgumentException e) {
            return Outcome.ignored("payload is not a JSON object");
        }
        if (payload == null) {
            return Outcome.ignored("payload is not a JSON object");
        }
        if (!"block_actions".equals(payload.get("type"))) {
            // view_submission, shortcuts, interactive_message (attachments): ChatOps makes none of them.
            return Outcome.ignored("payload type is not block_actions");
        }
        if (!(payload.get("actions") instanceof List<?> actions) || actions.size() != 1
                || !(actions.get(0) instanceof Map<?, ?> action)) {
            return Outcome.ignored("not exactly one action");
        }
        Matcher actionId = ACTION_ID.matcher(text(action, "action_id"));
        if (!actionId.matches()) {
            return Outcome.ignored("action_id is not <command>.<action>");
        }
        Optional<CommandSpec> spec = catalog.find(actionId.group(1));
        if (spec.isEmpty()) {
            return Outcome.ignored("action_id names no command");
        }
        // The buttons ChatOps posts: Approve and Deny of a command whose changes may wait.
        if (!List.of("approve", "deny").contains(actionId.group(2))
                || spec.get().forms().stream().noneMatch(Form::approvable)) {
            return Outcome.ignored("action_id names no button of that command");
        }
        String value = text(action, "value");
        if (!VALUE.matcher(value).matches()) {
            return Outcome.ignored("value is not an approval id");
        }
        Map<?, ?> user = object(payload, "user");
        String userId = text(user, "id");
        // A workspace's own app: team is the workspace; an app installed on an Enterprise Grid
        // organisation: team is null, and the person's workspace is the user's team_id.
        String teamId = text(user, "team_id");
        if (teamId.isEmpty()) {
            teamId = text(object(payload, "team"), "id");
        }
        String channelId = text(object(payload, "channel"), "id");
        if (userId.isEmpty() || teamId.isEmpty() || channelId.isEmpty()) {
            return Outcome.ignored("no user, team or channel");
        }
        String responseUrl = text(payload, "response_url");
        if (responseUrl.isEmpty()) {
            return Outcome.ignored("no response_url");
        }
        if (!responseUrls.allows(responseUrl)) {
            return Outcome.ignored("response_url not on the allow-list");
        }
        String userName = text(user, "username");
        return new Outcome(Optional.of(new Click(spec.get(), new ClickRequest(requestId, teamId,
                text(object(payload, "enterprise"), "id"), userId, userName.isEmpty() ? text(user, "name") : userName,
                channelId, spec.get().name(), actionId.group(2), value, responseUrl, receivedAt))), "");
    }

    /** The object under {@code name}, or an empty one when it is absent, null or not an object. */
    private static Map<?, ?> object(Map<?, ?> json, String name) {
        return json.get(name) instanceof Map<?, ?> object ? object : Map.of();
    }

    /** The string under {@code name}, or "" when it is absent, null or not a string. */
    private static String text(Map<?, ?> json, String name) {
        return json.get(name) instanceof String text ? text : "";
    }
}
