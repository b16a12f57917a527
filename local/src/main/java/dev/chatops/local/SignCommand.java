package dev.chatops.local;

import dev.chatops.shared.Json;
import dev.chatops.shared.edge.SlackSignature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/** {@code bin/chatops-local sign FILE}: a gateway event signed anew (Slack's signatures go stale in five minutes). */
final class SignCommand {
    private SignCommand() {
    }

    /**
     * Re-signs a gateway event file in place with the current time: only the two Slack headers'
     * values change, so the file keeps its layout and the diff is two lines.
     */
    @SuppressWarnings("unchecked")
    static int run(List<String> args) throws IOException {
        if (args.size() != 1) {
            System.err.println("sign: give one gateway event file, e.g. events/gateway-whoami.json");
            return 2;
        }
        Path file = Path.of(args.get(0));
        if (!Files.isRegularFile(file)) {
            System.err.println("sign: no file " + file);
            return 2;
        }
        String original = Files.readString(file);
        Map<String, Object> event;
        try {
            event = Json.readObject(original);
        } catch (IllegalArgumentException e) {
            System.err.println("sign: " + file + " is not JSON");
            return 2;
        }
        Object headers = event.get("headers");
        if (!"2.0".equals(event.get("version")) || !(headers instanceof Map<?, ?> h)
                || !h.containsKey("x-slack-request-timestamp") || !h.containsKey("x-slack-signature")) {
            System.err.println("sign: " + file + " is not an HTTP API 2.0 event with Slack's signature headers");
            return 2;
        }
        String signed = resigned(original, Main.env(Main.SIGNING_SECRET, LocalStack.DEV_SIGNING_SECRET));
        Files.writeString(file, signed);
        System.out.println("signed " + file + " (valid for 5 minutes)");
        return 0;
    }

    /** A gateway event with Slack's signature headers, signed anew with {@code secret}; others unchanged. */
    static String resigned(String event, String secret) {
        Map<String, Object> parsed;
        try {
            parsed = Json.readObject(event);
        } catch (IllegalArgumentException e) {
            return event;
        }
        if (!(parsed.get("headers") instanceof Map<?, ?> h) || !h.containsKey("x-slack-signature")) {
            return event;
        }
        String raw = String.valueOf(parsed.getOrDefault("body", ""));
        byte[] body = Boolean.TRUE.equals(parsed.get("isBase64Encoded"))
                ? Base64.getDecoder().decode(raw) : raw.getBytes(StandardCharsets.UTF_8);
        long timestamp = Instant.now().getEpochSecond();
        return event.replaceFirst("(\"x-slack-request-timestamp\"\\s*:\\s*)\"[^\"]*\"", "$1\"" + timestamp + "\"")
                .replaceFirst("(\"x-slack-signature\"\\s*:\\s*)\"[^\"]*\"",
                        "$1\"" + SlackSignature.sign(secret, timestamp, body) + "\"");
    }
}
