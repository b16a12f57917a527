package dev.chatops.local;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * {@code bin/chatops-local}: {@code up} runs the local stack; {@code send "/chatops run whoami"}
 * signs and sends a slash command to it and prints the ack and every reply; {@code click "Approve"
 * --user U…} clicks a button of the last reply with buttons as Slack does (a signed
 * {@code block_actions} payload) and prints what the click's response_url receives; {@code invoke
 * <LogicalId> -e FILE} runs one function on one event as {@code sam local invoke} does, without
 * Docker; {@code sign FILE} re-signs a gateway event in events/ (signatures go stale after five
 * minutes). Each subcommand is a class of its own: {@link UpCommand}, {@link SendCommand},
 * {@link ClickCommand}, {@link InvokeCommand}, {@link SignCommand}.
 */
public final class Main {
    static final String PORT = "CHATOPS_PORT";
    static final String MOTO_PORT = "CHATOPS_MOTO_PORT";
    static final String LAMBDA_PORT = "CHATOPS_LAMBDA_PORT";
    static final String SIGNING_SECRET = "SLACK_SIGNING_SECRET";
    /** Where {@code up} writes the functions' log lines whole (default local/target/chatops-local.log). */
    static final String LOG = "CHATOPS_LOG";

    static final String USAGE = """
        usage: bin/chatops-local up [--verbose]   run the local stack (CHATOPS_PORT, default 3000); the functions'
                                                  log lines go whole to CHATOPS_LOG (local/target/chatops-local.log),
                                                  and to the console one line per event, or whole with --verbose
               bin/chatops-local send "/chatops run whoami" [--user U…] [--team T…] [--channel C…]
                                      [--user-name NAME] [--url URL] [--wait SECONDS] [--raw]
                                                  prints each reply's buttons: text, action_id, value; keeps the
                                                  last reply with buttons (CHATOPS_LAST_REPLY,
                                                  local/target/chatops-local-last-reply.json) for click
               bin/chatops-local click "<button text>" --user U… [--team T…] [--user-name NAME] [--url URL]
                                      [--wait SECONDS] [--raw]
                                                  clicks that button of the last reply with buttons as Slack does
                                                  (a signed block_actions payload to /slack/interactions) and
                                                  prints what the click's response_url receives
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

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        noDelay();
        String verb = args.length == 0 ? "help" : args[0];
        List<String> rest = args.length == 0 ? List.of() : List.of(args).subList(1, args.length);
        switch (verb) {
            case "up" -> UpCommand.run(rest);
            case "send" -> System.exit(SendCommand.run(rest, System.getenv(), System.out, System.err,
                    styled(System.getenv())));
            case "click" -> System.exit(ClickCommand.run(rest, System.getenv(), System.out, System.err,
                    styled(System.getenv())));
            case "sign" -> System.exit(SignCommand.run(rest));
            case "invoke" -> System.exit(InvokeCommand.run(rest));
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

    /** See {@link SendCommand}. */
    static int send(List<String> args, Map<String, String> env, PrintStream out, PrintStream err, boolean styled)
            throws IOException, InterruptedException {
        return SendCommand.run(args, env, out, err, styled);
    }

    /** See {@link ClickCommand}. */
    static int click(List<String> args, Map<String, String> env, PrintStream out, PrintStream err, boolean styled)
            throws IOException, InterruptedException {
        return ClickCommand.run(args, env, out, err, styled);
    }

    /** The URLs of a message's buttons, which Slack shows as buttons and a terminal cannot. */
    static List<String> buttonUrls(Object node) {
        return SendCommand.buttonUrls(node);
    }

    /** See {@link InvokeCommand}. */
    static int invoke(List<String> args) throws IOException {
        return InvokeCommand.run(args);
    }

    /** See {@link InvokeCommand#envOverrides}. */
    static Map<String, String> envOverrides(Path file, String function) throws IOException {
        return InvokeCommand.envOverrides(file, function);
    }

    /** See {@link SignCommand}. */
    static int sign(List<String> args) throws IOException {
        return SignCommand.run(args);
    }

    /** See {@link SignCommand#resigned}. */
    static String resigned(String event, String secret) {
        return SignCommand.resigned(event, secret);
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


    static String env(String name, String fallback) {
        return env(System.getenv(), name, fallback);
    }

    static String env(Map<String, String> env, String name, String fallback) {
        String value = env.get(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
