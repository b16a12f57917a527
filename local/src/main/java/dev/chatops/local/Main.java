package dev.chatops.local;

import dev.chatops.shared.Json;
import dev.chatops.shared.edge.FormBody;
import dev.chatops.shared.edge.SlackSignature;
import dev.chatops.testing.PostgresServer;
import dev.chatops.testing.CaptureServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * {@code bin/chatops-local}: {@code up} runs the local stack; {@code send "/chatops run whoami"}
 * signs and sends a slash command to it and prints the ack and every reply; {@code invoke
 * <LogicalId> -e FILE} runs one function on one event as {@code sam local invoke} does, without
 * Docker; {@code sign FILE} re-signs a gateway event in events/ (signatures go stale after five
 * minutes).
 */
public final class Main {
    static final String PORT = "CHATOPS_PORT";
    static final String MOTO_PORT = "CHATOPS_MOTO_PORT";
    static final String LAMBDA_PORT = "CHATOPS_LAMBDA_PORT";
    static final String SIGNING_SECRET = "SLACK_SIGNING_SECRET";
    /** Where {@code up} writes the functions' log lines whole (default local/target/chatops-local.log). */
    static final String LOG = "CHATOPS_LOG";

    private static final String USAGE = """
            usage: bin/chatops-local up [--verbose]   run the local stack (CHATOPS_PORT, default 3000); the functions'
                                                      log lines go whole to CHATOPS_LOG (local/target/chatops-local.log),
                                                      and to the console one line per event, or whole with --verbose
                   bin/chatops-local send "/chatops run whoami" [--user U…] [--team T…] [--channel C…]
                                          [--user-name NAME] [--url URL] [--wait SECONDS] [--raw]
                   bin/chatops-local invoke <LogicalId> -e events/<file>.json [--env-vars events/env.local.json]
                   bin/chatops-local sign events/<gateway event>.json""";
    /**
     * Whether standard output gets ANSI styles: only on a terminal (bin/chatops-local passes
     * {@code -Dchatops.tty} from {@code [ -t 1 ]}), never with {@code NO_COLOR} set (no-color.org)
     * or {@code TERM=dumb}.
     */
    static boolean styled(Map<String, String> env) {
        String tty = System.getProperty("chatops.tty");
        boolean terminal = tty != null ? Boolean.parseBoolean(tty) : System.console() != null;
        String noColor = env.get("NO_COLOR");
        return terminal && (noColor == null || noColor.isEmpty()) && !"dumb".equals(env.get("TERM"));
    }

    private static final List<String> SEND_OPTIONS = List.of("user", "team", "channel", "user-name", "url", "wait");

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        noDelay();
        String verb = args.length == 0 ? "help" : args[0];
        List<String> rest = args.length == 0 ? List.of() : List.of(args).subList(1, args.length);
        switch (verb) {
            case "up" -> up(rest);
            case "send" -> System.exit(send(rest, System.getenv(), System.out, System.err, styled(System.getenv())));
            case "sign" -> System.exit(sign(rest));
            case "invoke" -> System.exit(invoke(rest));
            default -> {
                boolean asked = List.of("help", "-h", "--help").contains(verb);
                if (!asked) {
                    System.err.println("chatops-local: unknown command '" + verb + "'");
                }
                (asked ? System.out : System.err).println(USAGE);
                System.exit(asked ? 0 : 2);
            }
        }
    }

    private static void up(List<String> args) {
        if (!args.isEmpty() && !args.equals(List.of("--verbose"))) {
            System.err.println("up: unexpected argument " + args.get(0) + "\n" + USAGE);
            System.exit(2);
            return;
        }
        boolean styled = styled(System.getenv());
        Path logFile = Path.of(env(LOG, dev.chatops.testing.Template.projectRoot()
                .resolve("local/target/chatops-local.log").toString())).toAbsolutePath();
        LocalStack stack;
        FunctionLogs logs;
        try {
            logs = new FunctionLogs(System.out, logFile, args.contains("--verbose"), styled, java.time.Clock.systemDefaultZone());
            stack = LocalStack.start(LocalStack.Options.defaults()
                    .withPort(port(PORT, 3000))
                    .withMotoPort(port(MOTO_PORT, 0))
                    .withLambdaPort(port(LAMBDA_PORT, 0))
                    .withSigningSecret(env(SIGNING_SECRET, LocalStack.DEV_SIGNING_SECRET))
                    .withLog(logs));
        } catch (IllegalArgumentException | IllegalStateException | java.io.UncheckedIOException e) {
            System.err.println("chatops-local: " + e.getMessage());
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stack.close();
            logs.close();
            System.out.println("stopped: moto, the GitLab stand-ins and the local APIs");
        }, "chatops-local-stop"));
        System.out.println("moto: " + stack.moto().endpoint() + "   lambda: " + stack.lambdaEndpoint()
                + "   gitlab ops: " + stack.opsGitLab().baseUrl() + "   gitlab staging: " + stack.stagingGitLab().baseUrl()
                + "   gitlab production: " + stack.productionGitLab().baseUrl());
        System.out.println(stack.replica().map(r -> "postgres (the production replica for explain): 127.0.0.1:" + r.port()
                + "/" + PostgresServer.DATABASE).orElse("postgres: not found at " + PostgresServer.bin()
                + ", so explain has no replica (Debian: apt-get install postgresql-15, or set POSTGRES_BIN)"));
        System.out.println("function logs: one line per event here" + (args.contains("--verbose") ? " (--verbose: whole)" : "")
                + ", every line whole in " + logFile);
        printLogChannel(stack, new SlackMarkup(styled));
        System.out.println("GitLab's admin (owner of ops/chatops) is linked to Slack user " + LocalStack.LOCAL_ADMIN
                + ": bin/chatops-local send \"/chatops run member list ops/chatops --ops\" --user " + LocalStack.LOCAL_ADMIN);
        System.out.println("ready: " + stack.commandsUrl());
        System.out.flush();
        // Runs until Ctrl-C (the hook above closes the stack), or until a part dies under it: then
        // the rest is closed (by the same hook) rather than left logging connection errors.
        String death = stack.partDied().join();
        System.err.println("chatops-local: " + death + "; stopping the stack");
        System.exit(1);
    }

    /** Prints what reaches the feature-flag log channel's webhook, as the channel would show it. */
    private static void printLogChannel(LocalStack stack, SlackMarkup markup) {
        Thread printer = new Thread(() -> {
            int shown = 0;
            while (!Thread.currentThread().isInterrupted()) {
                List<dev.chatops.testing.CaptureServer.Post> posts = stack.logChannel().postsTo(LocalStack.LOG_WEBHOOK_PATH);
                for (; shown < posts.size(); shown++) {
                    System.out.println("[log channel] " + String.join("\n              ", markup.message(posts.get(shown).json())));
                }
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "chatops-local-log-channel");
        printer.setDaemon(true);
        printer.start();
    }

    /**
     * Sends one signed slash command; prints the ack and the replies as Slack shows them (with ANSI
     * styles when {@code styled}), or with {@code --raw} the JSON bodies as received. Exit 0 when it
     * was acked with 200.
     */
    static int send(List<String> args, Map<String, String> env, java.io.PrintStream out, java.io.PrintStream err, boolean styled)
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
                    err.println("send: unknown option " + arg + "\n" + USAGE);
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
        String url = options.getOrDefault("url", "http://127.0.0.1:" + env(env, PORT, "3000") + "/slack/commands");
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
                    .header("X-Slack-Signature", SlackSignature.sign(env(env, SIGNING_SECRET, LocalStack.DEV_SIGNING_SECRET),
                            timestamp, body))
                    .timeout(Duration.ofSeconds(10))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                    .build();
            HttpResponse<String> ack;
            try {
                ack = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
            } catch (java.net.ConnectException e) {
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
                out.println("ack " + ack.statusCode() + (ackLines.isEmpty() ? "" : ": " + String.join("\n  ", ackLines)));
            }
            if (ack.statusCode() != 200) {
                return 1;
            }
            if (!ackText.startsWith(":hourglass")) {
                return 0;
            }
            int seen = 0;
            List<CaptureServer.Post> posts = replies.awaitPosts(responsePath, 1, wait);
            while (posts.size() > seen) {
                for (CaptureServer.Post post : posts.subList(seen, posts.size())) {
                    seen++;
                    if (raw) {
                        out.println("reply " + seen + ": " + post.body());
                        continue;
                    }
                    out.println("reply " + seen + (Boolean.TRUE.equals(post.json().get("replace_original"))
                            ? " (replaces the previous one):" : ":"));
                    for (String part : markup.message(post.json())) {
                        out.println("  " + part);
                    }
                }
                posts = replies.awaitPosts(responsePath, seen + 1, Duration.ofMillis(1500));
            }
            if (seen == 0) {
                out.println("no reply within " + wait.toSeconds() + " s");
                return 1;
            }
            return 0;
        }
    }

    /** The URLs of a message's buttons, which Slack shows as buttons and a terminal cannot. */
    @SuppressWarnings("unchecked")
    static List<String> buttonUrls(Object node) {
        List<String> urls = new java.util.ArrayList<>();
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

    /**
     * {@code sam local invoke} without Docker: starts the local stack quietly, runs one function of
     * the template on one event in an execution environment of its own (its artifact, the runtime
     * interface client, its environment, role and credentials endpoint), prints the function's
     * log lines on standard error and its response on standard output, and stops. A signed gateway
     * event is re-signed on the way, since its signature has gone stale. {@code --env-vars} takes
     * sam's file: its {@code Parameters} and the function's own entries override the variables the
     * template declares for the function — except those that tie it to the local stack
     * ({@code AWS_ENDPOINT_URL}, {@code RESPONSE_URL_ALLOW}, {@code GITLAB_INSTANCES}), which stay.
     * Exit 0 when the function answered, 1 when it failed, 2 on bad arguments.
     */
    static int invoke(List<String> args) throws IOException {
        String function = null;
        Path event = null;
        Path envVars = null;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if ((arg.equals("-e") || arg.equals("--event") || arg.equals("--env-vars") || arg.equals("-n")) && i + 1 < args.size()) {
                Path value = Path.of(args.get(++i));
                if (arg.equals("--env-vars") || arg.equals("-n")) {
                    envVars = value;
                } else {
                    event = value;
                }
            } else if (!arg.startsWith("-") && function == null) {
                function = arg;
            } else {
                System.err.println("invoke: unexpected argument " + arg + "\n" + USAGE);
                return 2;
            }
        }
        if (function == null || event == null) {
            System.err.println("invoke: give the function's logical id and -e EVENT_FILE\n" + USAGE);
            return 2;
        }
        if (!Files.isRegularFile(event)) {
            System.err.println("invoke: no file " + event);
            return 2;
        }
        if (!dev.chatops.testing.LocalAws.projectTemplate().functions().containsKey(function)) {
            System.err.println("invoke: template.yaml has no function " + function + "; it has "
                    + String.join(", ", dev.chatops.testing.LocalAws.projectTemplate().functions().keySet()));
            return 2;
        }
        Map<String, String> overrides = envVars == null ? Map.of() : envOverrides(envVars, function);
        String secret = env(SIGNING_SECRET, LocalStack.DEV_SIGNING_SECRET);
        byte[] payload = resigned(Files.readString(event), secret).getBytes(StandardCharsets.UTF_8);
        String target = function;
        java.io.PrintStream err = System.err;
        LocalStack.Options options = LocalStack.Options.defaults().withSigningSecret(secret).withEnv(overrides)
                .withLog((f, line) -> {
                    if (f.equals(target)) {
                        err.println(line);
                    }
                });
        java.io.PrintStream out = System.out;
        // The stack's own start-up chatter stays out of the function's output.
        System.setOut(err);
        LambdaContainer.Result result;
        try (LocalStack stack = LocalStack.start(options)) {
            result = stack.invoke(function, payload);
        } finally {
            System.setOut(out);
        }
        out.println(new String(result.payload(), StandardCharsets.UTF_8));
        return result.failed() ? 1 : 0;
    }

    /** The overrides sam would apply from an --env-vars file, less the variables that tie a function to the local stack. */
    @SuppressWarnings("unchecked")
    static Map<String, String> envOverrides(Path file, String function) throws IOException {
        Map<String, Object> vars = Json.readObject(Files.readString(file));
        java.util.Set<String> declared = dev.chatops.testing.LocalAws.projectTemplate().function(function).environment().keySet();
        Map<String, String> overrides = new LinkedHashMap<>();
        for (Object scope : new Object[] {vars.get("Parameters"), vars.get(function)}) {
            if (scope instanceof Map<?, ?> values) {
                ((Map<String, Object>) values).forEach((name, value) -> {
                    if (declared.contains(name) && !STACK_OWNED.contains(name)) {
                        overrides.put(name, String.valueOf(value));
                    }
                });
            }
        }
        return overrides;
    }

    private static final List<String> STACK_OWNED = List.of("AWS_ENDPOINT_URL", "RESPONSE_URL_ALLOW", "GITLAB_INSTANCES");

    /** A gateway event with Slack's signature headers, signed anew with {@code secret}; any other event unchanged. */
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
                .replaceFirst("(\"x-slack-signature\"\\s*:\\s*)\"[^\"]*\"", "$1\"" + SlackSignature.sign(secret, timestamp, body) + "\"");
    }

    /**
     * Re-signs a gateway event file in place with the current time: only the two Slack headers'
     * values change, so the file keeps its layout and the diff is two lines.
     */
    @SuppressWarnings("unchecked")
    static int sign(List<String> args) throws IOException {
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
        String signed = resigned(original, env(SIGNING_SECRET, LocalStack.DEV_SIGNING_SECRET));
        Files.writeString(file, signed);
        System.out.println("signed " + file + " (valid for 5 minutes)");
        return 0;
    }

    /**
     * The JDK's HTTP servers of the local stack (Runtime APIs, front door, Lambda and HTTP APIs)
     * answer at once: without TCP_NODELAY, a server and its client wait on each other's delayed ACKs
     * for ~40 ms a request, which no AWS endpoint costs. The JDK reads the setting when it creates
     * its first server, so it is set before anything else (and by local/pom.xml for the tests).
     */
    static void noDelay() {
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private static int port(String name, int fallback) {
        String value = env(name, Integer.toString(fallback));
        try {
            int port = Integer.parseInt(value);
            if (port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + "=" + value + " is not a port number");
        }
    }

    private static String env(String name, String fallback) {
        return env(System.getenv(), name, fallback);
    }

    private static String env(Map<String, String> env, String name, String fallback) {
        String value = env.get(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
