package dev.chatops.testing;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Slash command and interaction requests as Slack sends them, signed by this class's own
 * implementation of Slack's v0 scheme (written from Slack's "Verifying requests" guide, sharing no
 * code with the project's verifier), so that tests check the verifier against an independent signer.
 */
public final class SlackRequests {
    private SlackRequests() {
    }

    /** {@code v0=} + hex(HMAC-SHA256(secret, "v0:" + timestamp + ":" + body)). */
    public static String sign(String secret, long timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] base = ("v0:" + timestamp + ":").getBytes(StandardCharsets.UTF_8);
            byte[] all = new byte[base.length + body.length];
            System.arraycopy(base, 0, all, 0, base.length);
            System.arraycopy(body, 0, all, base.length, body.length);
            return "v0=" + HexFormat.of().formatHex(mac.doFinal(all));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The form fields Slack posts for {@code /chatops <text>}. */
    public static Map<String, String> slashCommand(String text, String userId, String responseUrl) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("token", "gIkuvaNzQIHg97ATvDxqgjtO");
        form.put("team_id", "T0001");
        form.put("team_domain", "example");
        form.put("enterprise_id", "");
        form.put("channel_id", "C2147483705");
        form.put("channel_name", "chat-ops-test");
        form.put("user_id", userId);
        form.put("user_name", "alice");
        form.put("command", "/chatops");
        form.put("text", text);
        form.put("api_app_id", "A123456");
        form.put("response_url", responseUrl);
        form.put("trigger_id", "13345224609.738474920.8088930838d88f008e0");
        return form;
    }

    /**
     * A click on a button of a message in a channel, as Slack's {@code block_actions} payload carries
     * it, shaped like the example of Slack's "block_actions payload" reference (team, user, container,
     * channel, message, response_url, one action). Mutable all the way down, so that a test can take
     * a part away or change it.
     */
    public static Map<String, Object> blockActions(
            String actionId, String value, String userId, String responseUrl) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("type", "block_actions");
        payload.put("team", object("id", "T0001", "domain", "example"));
        payload.put("user", object("id", userId, "username", "alice", "name", "alice", "team_id", "T0001"));
        payload.put("api_app_id", "A123456");
        payload.put("token", "gIkuvaNzQIHg97ATvDxqgjtO");
        payload.put("container", object("type", "message", "message_ts", "1548261231.000200",
                "channel_id", "C2147483705", "is_ephemeral", false));
        payload.put("trigger_id", "12321423423.333649436676.d8c1bb837935619ccad0f624c448ffb3");
        payload.put("enterprise", null);
        payload.put("is_enterprise_install", false);
        payload.put("channel", object("id", "C2147483705", "name", "chat-ops-test"));
        payload.put("message", object("bot_id", "B0001", "type", "message", "text", "Approval requested",
                "user", "U0BOT", "ts", "1548261231.000200"));
        payload.put("response_url", responseUrl);
        List<Object> actions = new ArrayList<>();
        actions.add(object("action_id", actionId, "block_id", "approval", "text",
                object("type", "plain_text", "text", "Approve", "emoji", true), "value", value,
                "type", "button", "action_ts", "1548426417.840180"));
        payload.put("actions", actions);
        return payload;
    }

    /** The form Slack posts to the interactivity URL: one field, {@code payload}, the JSON document. */
    public static Map<String, String> interaction(Map<String, Object> payload) {
        try {
            // Null values written, as Slack writes them ("enterprise": null).
            String json = JSON.std.with(JSON.Feature.WRITE_NULL_PROPERTIES).asString(payload);
            return new LinkedHashMap<>(Map.of("payload", json));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, Object> object(Object... keysAndValues) {
        Map<String, Object> object = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            object.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return object;
    }

    public static byte[] formBody(Map<String, String> fields) {
        StringBuilder body = new StringBuilder();
        fields.forEach((k, v) -> {
            if (body.length() > 0) {
                body.append('&');
            }
            body.append(URLEncoder.encode(k, StandardCharsets.UTF_8))
                    .append('=')
                    .append(URLEncoder.encode(v, StandardCharsets.UTF_8));
        });
        return body.toString().getBytes(StandardCharsets.UTF_8);
    }
}
