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
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code bin/chatops-local click "Approve" --user U0LOCALMAINT}: a click on a button of the last
 * reply with buttons {@code send} received ({@link LastReply}), sent the way Slack sends it — a
 * {@code block_actions} payload (Slack's "block_actions payload" reference: type, team, user,
 * api_app_id, token, container, trigger_id, channel, message, state, response_url, one action),
 * URL-encoded in the form field {@code payload}, signed with the stack's signing secret and POSTed
 * to the interactivity URL — then the ack and what arrives at the click's response_url (a loopback
 * server of its own), as {@code send} prints replies.
 */
final class ClickCommand {
    private static final List<String> OPTIONS = List.of("user", "team", "user-name", "url", "wait");

    private ClickCommand() {
    }

    /** Exit 0 when the click was acked with 200 and answered (or the button only opens a URL). */
    static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err, boolean styled)
            throws IOException, InterruptedException {
        Map<String, String> options = new LinkedHashMap<>();
        String text = null;
        boolean raw = false;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("--raw")) {
                raw = true;
            } else if (arg.startsWith("--")) {
                String name = arg.substring(2);
                if (!OPTIONS.contains(name)) {
                    err.println("click: unknown option " + arg + "\n" + Main.USAGE);
                    return 2;
                }
                if (i + 1 >= args.size()) {
                    err.println("click: " + arg + " needs a value");
                    return 2;
                }
                options.put(name, args.get(++i));
            } else if (text == null) {
                text = arg;
            } else {
                err.println("click: one quoted button text, then options");
                return 2;
            }
        }
        if (text == null || text.isBlank()) {
            err.println("click: give the button's text as shown, e.g. click \"Approve\" --user U0LOCALMAINT");
            return 2;
        }
        String user = options.get("user");
        if (user == null || user.isBlank()) {
            err.println("click: --user U… says who clicks (a click is decided by who makes it)");
            return 2;
        }
        Duration wait;
        try {
            wait = Duration.ofSeconds(Long.parseLong(options.getOrDefault("wait", "30")));
        } catch (NumberFormatException e) {
            err.println("click: --wait takes a number of seconds");
            return 2;
        }
        Path file = LastReply.path(env);
        Optional<LastReply> last = LastReply.load(file);
        if (last.isEmpty()) {
            err.println("click: no reply with buttons yet (" + file + "): send a command whose reply has"
                    + " buttons first, e.g. a production feature set");
            return 2;
        }
        LastReply reply = last.get();
        Optional<LastReply.Button> found = find(reply.buttons(), text);
        if (found.isEmpty()) {
            err.println("click: the last reply with buttons has no button \"" + text + "\"; its buttons: "
                    + String.join(", ", reply.buttons().stream().map(b -> "\"" + b.text() + "\"").toList()));
            return 2;
        }
        LastReply.Button button = found.get();
        SlackMarkup markup = new SlackMarkup(styled);
        if (button.value().isEmpty() && button.url().isPresent()) {
            // Slack opens the link (and tells the app, which acknowledges link buttons and does nothing).
            out.println("\"" + button.text() + "\" opens " + button.url().get() + " in a browser");
            return 0;
        }
        button.confirm().ifPresent(confirm -> out.println("confirm: " + dialog(confirm, markup)));
        String url = options.getOrDefault("url",
                "http://127.0.0.1:" + Main.env(env, Main.PORT, "3000") + "/slack/interactions");
        String team = options.getOrDefault("team", LocalStack.LOCAL_TEAM);
        try (CaptureServer replies = new CaptureServer().start()) {
            String responsePath = "/actions/" + team + "/" + UUID.randomUUID();
            Map<String, Object> payload = payload(reply, button, user, options.getOrDefault("user-name", "local-user"),
                    team, replies.url(responsePath), Instant.now());
            byte[] body = FormBody.encode(Map.of("payload", Json.write(payload))).getBytes(StandardCharsets.UTF_8);
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
                err.println("click: nothing answers at " + url + " — start the local stack with  bin/chatops-local up"
                        + " (or, if it runs on another port, give click the same CHATOPS_PORT, or --url)");
                return 1;
            }
            out.println("ack " + ack.statusCode() + (ack.body().isEmpty() ? "" : ": " + ack.body()));
            if (ack.statusCode() != 200) {
                return 1;
            }
            List<CaptureServer.Post> posts = ReplyPrinter.print(replies, responsePath, wait, raw, markup, out,
                    ClickCommand::what);
            if (posts.isEmpty()) {
                out.println("no reply within " + wait.toSeconds() + " s");
                return 1;
            }
            return 0;
        }
    }

    /** The button whose text is {@code text}: as written, else ignoring case. */
    static Optional<LastReply.Button> find(List<LastReply.Button> buttons, String text) {
        return buttons.stream().filter(b -> b.text().equals(text)).findFirst()
                .or(() -> buttons.stream().filter(b -> b.text().toLowerCase(Locale.ROOT)
                        .equals(text.toLowerCase(Locale.ROOT))).findFirst());
    }

    /**
     * The {@code block_actions} payload Slack sends when {@code user} (of workspace {@code team})
     * clicks {@code button} of the kept message: the fields of the example in Slack's reference,
     * the message as Slack holds it, and the button's action with its block_id, text, value, style
     * and the click's time.
     */
    static Map<String, Object> payload(LastReply reply, LastReply.Button button, String user, String userName,
                                       String team, String responseUrl, Instant now) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("type", "block_actions");
        payload.put("user", object("id", user, "username", userName, "name", userName, "team_id", team));
        payload.put("api_app_id", "A0LOCAL");
        payload.put("token", "local");
        payload.put("container", object("type", "message", "message_ts", reply.message().get("ts"),
                "channel_id", reply.channelId(), "is_ephemeral", reply.ephemeral()));
        payload.put("trigger_id", triggerId());
        payload.put("team", object("id", team, "domain", "local"));
        payload.put("enterprise", null);
        payload.put("is_enterprise_install", false);
        payload.put("channel", object("id", reply.channelId(), "name", reply.channelName()));
        payload.put("message", reply.message());
        payload.put("state", object("values", new LinkedHashMap<>()));
        payload.put("response_url", responseUrl);
        Map<String, Object> action = new LinkedHashMap<>();
        button.actionId().ifPresent(id -> action.put("action_id", id));
        action.put("block_id", button.blockId());
        action.put("text", button.element().get("text"));
        button.value().ifPresent(value -> action.put("value", value));
        if (button.element().get("style") instanceof String style) {
            action.put("style", style);
        }
        action.put("type", "button");
        action.put("action_ts", LastReply.ts(now));
        List<Object> actions = new ArrayList<>();
        actions.add(action);
        payload.put("actions", actions);
        return payload;
    }

    /** What a post to a click's response_url does to what the clicker sees. */
    private static String what(Map<String, Object> post) {
        if (Boolean.TRUE.equals(post.get("delete_original"))) {
            return "deletes the message";
        }
        if (Boolean.TRUE.equals(post.get("replace_original"))) {
            return "replaces the message";
        }
        return "in_channel".equals(post.get("response_type")) ? "in the channel" : "only you see it";
    }

    /** A confirmation dialog on one line: its title, its text, and the button that confirms. */
    private static String dialog(Map<?, ?> confirm, SlackMarkup markup) {
        List<String> parts = new ArrayList<>();
        for (String field : List.of("title", "text")) {
            if (confirm.get(field) instanceof Map<?, ?> text && text.get("text") instanceof String s) {
                parts.add(String.join(" ", "plain_text".equals(text.get("type")) ? List.of(s) : markup.mrkdwn(s)));
            }
        }
        String yes = confirm.get("confirm") instanceof Map<?, ?> t && t.get("text") instanceof String s ? s : "OK";
        return String.join(" \u2014 ", parts) + " [" + yes + "]";
    }

    /** A trigger id shaped like Slack's: two numbers and a hex digest. */
    private static String triggerId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return random.nextLong(1_000_000_000L, 10_000_000_000L) + "." + random.nextLong(100_000_000_000L,
                1_000_000_000_000L) + "." + UUID.randomUUID().toString().replace("-", "");
    }

    private static Map<String, Object> object(Object... keysAndValues) {
        Map<String, Object> object = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            object.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return object;
    }
}
