package dev.chatops.local;

import dev.chatops.shared.Json;
import dev.chatops.testing.LocalAws;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code bin/chatops-local invoke <LogicalId> -e FILE}: {@code sam local invoke} without Docker. */
final class InvokeCommand {
    private static final List<String> STACK_OWNED =
            List.of("AWS_ENDPOINT_URL", "RESPONSE_URL_ALLOW", "GITLAB_INSTANCES");

    private InvokeCommand() {
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
    static int run(List<String> args) throws IOException {
        String function = null;
        Path event = null;
        Path envVars = null;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            boolean takesValue = arg.equals("-e") || arg.equals("--event") || arg.equals("--env-vars")
                    || arg.equals("-n");
            if (takesValue && i + 1 < args.size()) {
                Path value = Path.of(args.get(++i));
                if (arg.equals("--env-vars") || arg.equals("-n")) {
                    envVars = value;
                } else {
                    event = value;
                }
            } else if (!arg.startsWith("-") && function == null) {
                function = arg;
            } else {
                System.err.println("invoke: unexpected argument " + arg + "\n" + Main.USAGE);
                return 2;
            }
        }
        if (function == null || event == null) {
            System.err.println("invoke: give the function's logical id and -e EVENT_FILE\n" + Main.USAGE);
            return 2;
        }
        if (!Files.isRegularFile(event)) {
            System.err.println("invoke: no file " + event);
            return 2;
        }
        if (!LocalAws.projectTemplate().functions().containsKey(function)) {
            System.err.println("invoke: template.yaml has no function " + function + "; it has "
                    + String.join(", ", LocalAws.projectTemplate().functions().keySet()));
            return 2;
        }
        Map<String, String> overrides = envVars == null ? Map.of() : envOverrides(envVars, function);
        String secret = Main.env(Main.SIGNING_SECRET, LocalStack.DEV_SIGNING_SECRET);
        byte[] payload = SignCommand.resigned(Files.readString(event), secret).getBytes(StandardCharsets.UTF_8);
        String target = function;
        PrintStream err = System.err;
        LocalStack.Options options = LocalStack.Options.defaults().withSigningSecret(secret).withEnv(overrides)
                .withLog((f, line) -> {
                    if (f.equals(target)) {
                        err.println(line);
                    }
                });
        PrintStream out = System.out;
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

    /**
     * The overrides sam would apply from an --env-vars file, less the variables that tie a function
     * to the local stack.
     */
    @SuppressWarnings("unchecked")
    static Map<String, String> envOverrides(Path file, String function) throws IOException {
        Map<String, Object> vars = Json.readObject(Files.readString(file));
        Set<String> declared = LocalAws.projectTemplate().function(function).environment().keySet();
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
}
