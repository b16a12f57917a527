package dev.chatops.local;

import dev.chatops.shared.Json;
import dev.chatops.shared.edge.FormBody;
import dev.chatops.shared.edge.SlackSignature;
import dev.chatops.testing.CaptureServer;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** {@code bin/chatops-local send "/chatops run whoami"}: one signed slash command, its ack and replies. */
final class SendCommand {
    private static final List<String> SEND_OPTIONS = List.of("user", "team", "channel", "user-name", "url", "wait");

    private SendCommand() {
    }

    /**
     * Sends one signed slash command; prints the ack and the replies as Slack shows them (with ANSI
     * styles when {@code styled}), or with {@code --raw} the JSON bodies as received. Exit 0 when it
     * was acked with 200.
     */
    static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err, boolean styled)
            throws IOException, InterruptedException {
        Map<String, String> options = new LinkedHashMap<>();
        String line = null;
        boolean raw = false;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("--raw")) {
                raw = true;
            } else if (arg.startsWith("--")) {
                String name = arg.substring(2);
                if (!SEND_OPTIONS.contains(name)) {
                    err.println("send: unknown option " + arg + "\n" + Main.USAGE);
                    return 2;
                }
                if (i + 1 >= args.size()) {
                    err.println("send: " + arg + " needs a value");
                    return 2;
                }
                options.put(name, args.get(++i));
            } else if (line == null) {
                line = arg;
            } else {
                err.println("send: one quoted command line, then options");
                return 2;
            }
        }
        if (line == null || !line.startsWith("/")) {
            err.println("send: give the command as typed in Slack, e.g. \"/chatops run whoami\"");
            return 2;
        }
        int space = line.indexOf(' ');
        String slash = space < 0 ? line : line.substring(0, space);
        String text = space < 0 ? "" : line.substring(space + 1);
        String url = options.getOrDefault("url",
                "http://127.0.0.1:" + Main.env(env, Main.PORT, "3000") + "/slack/commands");
        Duration wait;
        try {
            wait = Duration.ofSeconds(Long.parseLong(options.getOrDefault("wait", "30")));
        } catch (NumberFormatException e) {
            err.println("send: --wait takes a number of seconds");
            return 2;
        }
        try (CaptureServer replies = new CaptureServer().start()) {
            String responsePath = "/commands/" + UUID.randomUUID();
            Map<String, String> form = new LinkedHashMap<>();
            form.put("token", "local");
            form.put("team_id", options.getOrDefault("team", LocalStack.LOCAL_TEAM));
            form.put("team_domain", "local");
            form.put("channel_id", options.getOrDefault("channel", "C0LOCAL"));
            form.put("channel_name", "chat-ops-test");
            form.put("user_id", options.getOrDefault("user", "U0LOCALUSER"));
            form.put("user_name", options.getOrDefault("user-name", "local-user"));
            form.put("command", slash);
            form.put("text", text);
            form.put("api_app_id", "A0LOCAL");
            form.put("response_url", replies.url(responsePath));
            form.put("trigger_id", "local." + UUID.randomUUID());
            byte[] body = FormBody.encode(form).getBytes(StandardCharsets.UTF_8);
            long timestamp = Instant.now().getEpochSecond();
            HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .header("X-Slack-Request-Timestamp", Long.toString(timestamp))
                    .header("X-Slack-Signature", SlackSignature.sign(
                            Main.env(env, Main.SIGNING_SECRET, LocalStack.DEV_SIGNING_SECRET), timestamp, body))
                    .timeout(Duration.ofSeconds(10))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                    .build();
            HttpResponse<String> ack;
            try {
                ack = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
            } catch (ConnectException e) {
                err.println("send: nothing answers at " + url + " — start the local stack with  bin/chatops-local up"
                        + " (or, if it runs on another port, give send the same CHATOPS_PORT, or --url)");
                return 1;
            }
            Map<String, Object> ackJson = ack.body().isEmpty() ? Map.of() : Json.readObject(ack.body());
            String ackText = String.valueOf(ackJson.getOrDefault("text", ""));
            SlackMarkup markup = new SlackMarkup(styled);
            if (raw) {
                out.println("ack " + ack.statusCode() + (ack.body().isEmpty() ? "" : ": " + ack.body()));
            } else {
                List<String> ackLines = markup.message(ackJson);
                out.println("ack " + ack.statusCode()
                        + (ackLines.isEmpty() ? "" : ": " + String.join("\n  ", ackLines)));
            }
            if (ack.statusCode() != 200) {
                return 1;
            }
            if (!ackText.startsWith(":hourglass")) {
                return 0;
            }
            List<CaptureServer.Post> posts = ReplyPrinter.print(replies, responsePath, wait, raw, markup, out,
                    post -> Boolean.TRUE.equals(post.get("replace_original")) ? "replaces the previous one" : "");
            if (posts.isEmpty()) {
                out.println("no reply within " + wait.toSeconds() + " s");
                return 1;
            }
            keepButtons(posts, LastReply.path(env), form, err);
            return 0;
        }
    }

    /**
     * Keeps the last of {@code posts} that has buttons for {@code click}; with none, the reply kept
     * before stays (its buttons are still there in Slack).
     */
    private static void keepButtons(List<CaptureServer.Post> posts, Path file, Map<String, String> form,
                                    PrintStream err) {
        for (int i = posts.size() - 1; i >= 0; i--) {
            Map<String, Object> reply = posts.get(i).json();
            if (LastReply.hasButtons(reply)) {
                try {
                    LastReply.save(file, form.get("team_id"), form.get("channel_id"), form.get("channel_name"), reply);
                } catch (IOException e) {
                    err.println("send: could not keep the reply's buttons for click in " + file + ": "
                            + e.getMessage());
                }
                return;
            }
        }
    }

    /** The URLs of a message's buttons, which Slack shows as buttons and a terminal cannot. */
    @SuppressWarnings("unchecked")
    static List<String> buttonUrls(Object node) {
        List<String> urls = new ArrayList<>();
        if (node instanceof Map<?, ?> map) {
            if ("button".equals(map.get("type")) && map.get("url") instanceof String url) {
                urls.add(url);
            }
            for (Object value : ((Map<String, Object>) map).values()) {
                urls.addAll(buttonUrls(value));
            }
        } else if (node instanceof List<?> list) {
            for (Object item : list) {
                urls.addAll(buttonUrls(item));
            }
        }
        return urls;
    }
}
