package dev.chatops.local;

import dev.chatops.testing.CaptureServer;
import dev.chatops.testing.PostgresServer;
import dev.chatops.testing.Template;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

/** {@code bin/chatops-local up}: runs the local stack until Ctrl-C, or until one of its parts dies. */
final class UpCommand {
    private UpCommand() {
    }

    static void run(List<String> args) {
        if (!args.isEmpty() && !args.equals(List.of("--verbose"))) {
            System.err.println("up: unexpected argument " + args.get(0) + "\n" + Main.USAGE);
            System.exit(2);
            return;
        }
        boolean styled = Main.styled(System.getenv());
        Path logFile = Path.of(Main.env(Main.LOG, Template.projectRoot()
                .resolve("local/target/chatops-local.log").toString())).toAbsolutePath();
        LocalStack stack;
        FunctionLogs logs;
        try {
            logs = new FunctionLogs(System.out, logFile, args.contains("--verbose"), styled, Clock.systemDefaultZone());
            stack = LocalStack.start(LocalStack.Options.defaults()
                    .withPort(port(Main.PORT, 3000))
                    .withMotoPort(port(Main.MOTO_PORT, 0))
                    .withLambdaPort(port(Main.LAMBDA_PORT, 0))
                    .withSigningSecret(Main.env(Main.SIGNING_SECRET, LocalStack.DEV_SIGNING_SECRET))
                    .withLog(logs));
        } catch (IllegalArgumentException | IllegalStateException | UncheckedIOException e) {
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
                + "   gitlab ops: " + stack.opsGitLab().baseUrl()
                + "   gitlab staging: " + stack.stagingGitLab().baseUrl()
                + "   gitlab production: " + stack.productionGitLab().baseUrl());
        System.out.println(stack.replica()
                .map(r -> "postgres (the production replica for explain): 127.0.0.1:" + r.port()
                + "/" + PostgresServer.DATABASE).orElse("postgres: not found at " + PostgresServer.bin()
                + ", so explain has no replica (Debian: apt-get install postgresql-15, or set POSTGRES_BIN)"));
        System.out.println("function logs: one line per event here"
                + (args.contains("--verbose") ? " (--verbose: whole)" : "")
                + ", every line whole in " + logFile);
        printLogChannel(stack, new SlackMarkup(styled));
        System.out.println("GitLab's admin (owner of ops/chatops) is linked to Slack user " + LocalStack.LOCAL_ADMIN
                + ": bin/chatops-local send \"/chatops run member list ops/chatops --ops\" --user "
                + LocalStack.LOCAL_ADMIN);
        System.out.println("maint (maintainer of ops/chatops) is linked to " + LocalStack.LOCAL_MAINT
                + ", newbie (not a member) to " + LocalStack.LOCAL_NEWBIE
                + ": production flag changes wait for a second person, bin/chatops-local click \"Approve\" --user "
                + LocalStack.LOCAL_MAINT);
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
                List<CaptureServer.Post> posts = stack.logChannel().postsTo(LocalStack.LOG_WEBHOOK_PATH);
                for (; shown < posts.size(); shown++) {
                    List<String> lines = markup.message(posts.get(shown).json());
                    System.out.println("[log channel] " + String.join("\n              ", lines));
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

    private static int port(String name, int fallback) {
        String value = Main.env(name, Integer.toString(fallback));
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
}
