package dev.chatops.testing;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Slash command requests as Slack sends them, signed by this class's own implementation of Slack's
 * v0 scheme (written from Slack's "Verifying requests" guide, sharing no code with the project's
 * verifier), so that tests check the verifier against an independent signer.
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
