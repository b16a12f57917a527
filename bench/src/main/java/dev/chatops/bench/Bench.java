package dev.chatops.bench;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import dev.chatops.gateway.GatewayFunction;
import dev.chatops.local.LocalStack;
import dev.chatops.shared.CommandRequest;
import dev.chatops.shared.Env;
import dev.chatops.shared.Json;
import dev.chatops.shared.Log;
import dev.chatops.shared.Redactor;
import dev.chatops.shared.runtime.ResponseUrlClient;
import dev.chatops.shared.runtime.RuntimeConfig;
import dev.chatops.shared.runtime.Services;
import dev.chatops.testing.CaptureServer;
import dev.chatops.testing.ContainerCredentialsEndpoint;
import dev.chatops.testing.LocalAws;
import dev.chatops.testing.LocalLambdaContext;
import dev.chatops.testing.MotoExtension;
import dev.chatops.testing.MotoServer;
import dev.chatops.testing.SlackRequests;
import dev.chatops.testing.Template;
import dev.chatops.user.UserFunction;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * bin/chatops-bench: cold starts in fresh JVMs from the deployable jars (the gateway, a hello-world
 * handler that computes one HMAC, Bolt for Java, and each command function answering a real
 * command: {@code whoami}, {@code feature get}, {@code auto_deploy status}, {@code explain}),
 * interleaved so that machine noise falls on all alike; warm latencies in one JVM; artifact sizes.
 * Prints a table and writes {@code target/bench/results.json}. It runs on the local stack (moto,
 * the GitLab stand-ins seeded from the fixtures, the PostgreSQL replica when installed, a linked
 * admin); Lambda's Invoke API and Slack's response_url are loopback capture servers, called by the
 * same client code as in production. Every cold answer is checked to be the command's own. The
 * fresh JVMs get the execution role's credentials as SnapStart hands them out, from a loopback
 * container credentials endpoint (no key variables, no system properties), so their cold figures
 * include fetching them.
 */
public final class Bench {
    /** The JVM flags of Lambda's Java runtimes. */
    static final List<String> LAMBDA_JVM = List.of("-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

    private record Row(String name, double median, double p90, String unit, int runs, String note) {
    }

    private final List<Row> rows = new ArrayList<>();
    private final Path root = Template.projectRoot();
    private ContainerCredentialsEndpoint credentials;

    public static void main(String[] args) throws Exception {
        int runs = Integer.parseInt(System.getenv().getOrDefault("BENCH_RUNS", "15"));
        new Bench().run(runs);
        System.exit(0);
    }

    private void run(int runs) throws Exception {
        PrintStream quiet = new PrintStream(OutputStreamNull.INSTANCE, true, StandardCharsets.UTF_8);
        Log.redirect(quiet);
        try (LocalStack stack = LocalStack.start(LocalStack.Options.defaults().withSigningSecret(MotoExtension.SIGNING_SECRET));
             CaptureServer lambdaApi = new CaptureServer().start();
             CaptureServer slack = new CaptureServer().start();
             ContainerCredentialsEndpoint credentials = ContainerCredentialsEndpoint.start(UUID.randomUUID().toString(),
                     Clock.systemUTC(), Duration.ofHours(6))) {
            lambdaApi.answerByDefault(CaptureServer.Answer.of(202, ""));
            LocalAws aws = stack.aws();
            // Credentials as SnapStart hands them out (template.yaml turns it on for every function):
            // no key variables, a container credentials endpoint each cold start fetches from.
            Map<String, String> awsEnv = new HashMap<>(credentials.environment());
            awsEnv.putAll(Map.of("AWS_REGION", MotoServer.REGION, "AWS_ENDPOINT_URL", stack.moto().endpoint(),
                    "AWS_ENDPOINT_URL_LAMBDA", lambdaApi.url("")));
            this.credentials = credentials;
            Map<String, String> gatewayEnv = new HashMap<>(aws.functionEnvironment("GatewayFunction", Map.of()));
            gatewayEnv.putAll(awsEnv);
            Map<String, Map<String, String>> functionEnvs = new LinkedHashMap<>();
            for (String function : List.of("UserFunction", "FeatureFunction", "AutoDeployFunction", "ExplainFunction")) {
                Map<String, String> env = new HashMap<>(aws.functionEnvironment(function,
                        Map.of(RuntimeConfig.RESPONSE_URL_ALLOW, "http://127.0.0.1")));
                env.putAll(awsEnv);
                functionEnvs.put(function, env);
            }

            cold(runs, gatewayEnv, functionEnvs, stack.replica().isPresent(), slack);
            warmGateway(gatewayEnv, lambdaApi);
            warmWhoami(functionEnvs.get("UserFunction"), slack);
            warmRedactor();
            artifacts();
        }
        report();
    }

    /** A command function measured cold: its module, handler, the command it answers and what its answer says. */
    private record CommandRun(String label, String module, String handler, String function, String command,
                              List<String> args, String answerContains) {
    }

    private static final List<CommandRun> COMMANDS = List.of(
            new CommandRun("whoami (UserFunction)", "user", "dev.chatops.user.UserFunction", "UserFunction", "whoami",
                    List.of(), "on `ops`"),
            new CommandRun("feature get (FeatureFunction)", "feature", "dev.chatops.feature.FeatureFunction",
                    "FeatureFunction", "feature", List.of("get", "my_flag"), "my_flag"),
            new CommandRun("auto_deploy status (AutoDeployFunction)", "auto-deploy",
                    "dev.chatops.autodeploy.AutoDeployFunction", "AutoDeployFunction", "auto_deploy", List.of("status"),
                    "Deployments of"),
            new CommandRun("explain (ExplainFunction)", "explain", "dev.chatops.explain.ExplainFunction", "ExplainFunction",
                    "explain", List.of("SELECT * FROM projects WHERE id = 1"), "EXPLAIN ANALYZE on the production replica"));

    private void cold(int runs, Map<String, String> gatewayEnv, Map<String, Map<String, String>> functionEnvs,
                      boolean replica, CaptureServer slack) throws Exception {
        String harness = harnessClassPath();
        String gatewayCp = lambdaJar("gateway") + File.pathSeparator + harness;
        String helloCp = harness;
        // Bolt's own dependencies (Gson, OkHttp, Kotlin, the Slack client), as its deployment would carry them.
        String boltCp = harness + File.pathSeparator + boltClassPath();
        Map<String, CommandRun> commands = new LinkedHashMap<>();
        for (CommandRun command : COMMANDS) {
            if (replica || !command.command().equals("explain")) {
                commands.put(command.label(), command);
            }
        }
        Map<String, List<double[]>> samples = new LinkedHashMap<>();
        Path events = Files.createTempDirectory("bench-events");
        for (int i = 0; i < runs; i++) {
            List<String> order = new ArrayList<>(List.of("hello world (one HMAC)", "gateway", "Bolt for Java 1.51.0"));
            order.addAll(commands.keySet());
            java.util.Collections.rotate(order, i);
            for (String name : order) {
                Path event = events.resolve(UUID.randomUUID() + ".json");
                double[] sample;
                if (name.startsWith("hello")) {
                    Files.writeString(event, gatewayEvent("run whoami", "hello"));
                    sample = coldOnce(helloCp, HelloHandler.class.getName(), event, Map.of());
                } else if (name.startsWith("Bolt")) {
                    Files.writeString(event, gatewayEvent("run whoami", MotoExtension.SIGNING_SECRET));
                    sample = coldOnce(boltCp, BoltHandler.class.getName(), event,
                            Map.of("SLACK_SIGNING_SECRET", MotoExtension.SIGNING_SECRET));
                } else if (name.equals("gateway")) {
                    Files.writeString(event, gatewayEvent("run whoami", MotoExtension.SIGNING_SECRET));
                    sample = coldOnce(gatewayCp, "dev.chatops.gateway.GatewayFunction", event, gatewayEnv);
                } else {
                    CommandRun command = commands.get(name);
                    String path = "/bench/" + UUID.randomUUID();
                    Files.writeString(event, asLocalAdmin(command, slack.url(path)).toJson());
                    sample = coldOnce(lambdaJar(command.module()) + File.pathSeparator + harness, command.handler(), event,
                            functionEnvs.get(command.function()));
                    List<CaptureServer.Post> posts = slack.awaitPosts(path, 1, Duration.ofSeconds(10));
                    String answer = posts.isEmpty() ? "(nothing)" : CaptureServer.textOf(posts.get(posts.size() - 1));
                    if (!answer.contains(command.answerContains())) {
                        throw new IllegalStateException(name + " did not answer as itself: " + answer);
                    }
                }
                samples.computeIfAbsent(name, k -> new ArrayList<>()).add(sample);
            }
        }
        double hello = median(samples.get("hello world (one HMAC)").stream().mapToDouble(s -> s[0]).toArray());
        double bolt = median(samples.get("Bolt for Java 1.51.0").stream().mapToDouble(s -> s[0]).toArray());
        double helloOwn = median(samples.get("hello world (one HMAC)").stream().mapToDouble(s -> s[0] - s[4]).toArray());
        double boltOwn = median(samples.get("Bolt for Java 1.51.0").stream().mapToDouble(s -> s[0] - s[4]).toArray());
        for (Map.Entry<String, List<double[]>> entry : samples.entrySet()) {
            double[] wall = entry.getValue().stream().mapToDouble(s -> s[0]).toArray();
            double[] init = entry.getValue().stream().mapToDouble(s -> s[1]).toArray();
            double[] invoke = entry.getValue().stream().mapToDouble(s -> s[2]).toArray();
            double[] rss = entry.getValue().stream().mapToDouble(s -> s[3] / 1024.0).toArray();
            double[] own = entry.getValue().stream().mapToDouble(s -> s[0] - s[4]).toArray();
            String ratio = String.format("%.2f× hello world, %.2f× Bolt", median(wall) / hello, median(wall) / bolt);
            rows.add(new Row("cold " + entry.getKey() + ": fresh JVM to answer", median(wall), p(wall, 90), "ms", wall.length, ratio));
            rows.add(new Row("cold " + entry.getKey() + ": less Lambda's event deserialisation", median(own), p(own, 90), "ms",
                    own.length, String.format("%.2f× hello world, %.2f× Bolt", median(own) / helloOwn, median(own) / boltOwn)));
            rows.add(new Row("cold " + entry.getKey() + ": handler init", median(init), p(init, 90), "ms", init.length, ""));
            rows.add(new Row("cold " + entry.getKey() + ": first invoke", median(invoke), p(invoke, 90), "ms", invoke.length, ""));
            rows.add(new Row("cold " + entry.getKey() + ": peak RSS", median(rss), p(rss, 90), "MiB", rss.length, ""));
            double[] fetches = entry.getValue().stream().mapToDouble(s -> s[5]).toArray();
            if (median(fetches) > 0) {
                rows.add(new Row("cold " + entry.getKey() + ": container credentials fetches", median(fetches), p(fetches, 90),
                        "requests", fetches.length, "SnapStart's endpoint, on loopback"));
            }
        }
    }

    /** {wall ms, init ms, invoke ms, peak RSS KiB, deserialise ms, credentials fetches} of one fresh JVM. */
    private double[] coldOnce(String classPath, String handler, Path event, Map<String, String> env) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(LAMBDA_JVM);
        command.addAll(List.of("-cp", classPath, ColdRun.class.getName(), handler, event.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().keySet().removeIf(k -> k.startsWith("AWS_") || k.equals("JAVA_TOOL_OPTIONS"));
        builder.environment().putAll(env);
        int fetchesBefore = credentials.served();
        long start = System.nanoTime();
        Process process = builder.start();
        // Until the handler has answered (its result line), not until the process exits: a Lambda
        // container does not exit, and threads winding down after the answer cost the person nothing.
        StringBuilder output = new StringBuilder();
        String line = null;
        double wall = 0;
        try (java.io.BufferedReader reader = new java.io.BufferedReader(
                new java.io.InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String read = reader.readLine(); read != null; read = reader.readLine()) {
                if (line == null && read.startsWith("COLD ")) {
                    wall = (System.nanoTime() - start) / 1_000_000.0;
                    line = read;
                }
                output.append(read).append('\n');
            }
        }
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0 || line == null) {
            throw new IllegalStateException(handler + " failed or printed no result: " + output);
        }
        String[] parts = line.split(" ", 6);
        if ((handler.contains("Gateway") || handler.contains("Bolt")) && !parts[5].contains("statusCode=200")) {
            throw new IllegalStateException(handler + " did not ack: " + parts[5]);
        }
        return new double[] {wall, Double.parseDouble(parts[1]), Double.parseDouble(parts[2]), Double.parseDouble(parts[3]),
            Double.parseDouble(parts[4]), credentials.served() - fetchesBefore};
    }

    private void warmGateway(Map<String, String> env, CaptureServer lambdaApi) {
        System.setProperty("aws.endpointUrlLambda", lambdaApi.url(""));
        GatewayFunction gateway = new GatewayFunction(Env.of(env));
        int warmup = 2_000;
        int measured = 10_000;
        List<APIGatewayV2HTTPEvent> events = new ArrayList<>();
        for (int i = 0; i < warmup + measured; i++) {
            events.add(event("run whoami", MotoExtension.SIGNING_SECRET, Instant.now().getEpochSecond(), "U" + i));
        }
        double[] ms = new double[measured];
        LocalLambdaContext context = new LocalLambdaContext("GatewayFunction", Duration.ofSeconds(10));
        for (int i = 0; i < warmup + measured; i++) {
            long start = System.nanoTime();
            int status = gateway.handleRequest(events.get(i), context).getStatusCode();
            if (status != 200) {
                throw new IllegalStateException("warm gateway answered " + status);
            }
            if (i >= warmup) {
                ms[i - warmup] = (System.nanoTime() - start) / 1_000_000.0;
            }
        }
        rows.add(new Row("warm gateway: verify, parse, dispatch, ack (p50 | p99)", median(ms), p(ms, 99), "ms", measured,
                "dispatch = a loopback HTTP round trip"));
        List<APIGatewayV2HTTPEvent> help = new ArrayList<>();
        for (int i = 0; i < warmup + measured; i++) {
            help.add(event("run help", MotoExtension.SIGNING_SECRET, Instant.now().getEpochSecond(), "U" + i));
        }
        for (int i = 0; i < warmup + measured; i++) {
            long start = System.nanoTime();
            gateway.handleRequest(help.get(i), context);
            if (i >= warmup) {
                ms[i - warmup] = (System.nanoTime() - start) / 1_000_000.0;
            }
        }
        rows.add(new Row("warm gateway: verify, parse, answer help inline (p50 | p99)", median(ms), p(ms, 99), "ms", measured,
                "no dispatch"));
    }

    private void warmWhoami(Map<String, String> env, CaptureServer slack) throws IOException {
        AtomicInteger calls = new AtomicInteger();
        DynamoDbClient counted = DynamoDbClient.builder().httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(c -> c.addExecutionInterceptor(new ExecutionInterceptor() {
                    @Override
                    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
                        calls.incrementAndGet();
                    }
                })).build();
        Services services = new Services(Env.of(env), counted, Clock.systemUTC(),
                ResponseUrlClient.standard(RuntimeConfig.from(Env.of(env)).responseUrls()));
        UserFunction function = new UserFunction(services);
        int warmup = 100;
        int measured = 400;
        double[] ms = new double[measured];
        LocalLambdaContext context = new LocalLambdaContext("UserFunction", Duration.ofSeconds(30));
        int callsBefore = 0;
        for (int i = 0; i < warmup + measured; i++) {
            if (i == warmup) {
                callsBefore = calls.get();
            }
            byte[] payload = whoami(slack.url("/bench/warm")).toJson().getBytes(StandardCharsets.UTF_8);
            long start = System.nanoTime();
            function.handleRequest(new ByteArrayInputStream(payload), new ByteArrayOutputStream(), context);
            if (i >= warmup) {
                ms[i - warmup] = (System.nanoTime() - start) / 1_000_000.0;
            }
        }
        double perRequest = (calls.get() - callsBefore) / (double) measured;
        rows.add(new Row("warm whoami: event to response_url post (p50 | p99)", median(ms), p(ms, 99), "ms", measured, ""));
        rows.add(new Row("warm whoami: DynamoDB requests per command", perRequest, perRequest, "requests", measured,
                "audit, claim, link, complete, count, finish"));
    }

    /** The audit's redactor on the longest command text the gateway reads, as one word: linear, so milliseconds. */
    private void warmRedactor() {
        String word = "a".repeat(12_000);
        int warmup = 50;
        int measured = 200;
        double[] ms = new double[measured];
        for (int i = 0; i < warmup + measured; i++) {
            long start = System.nanoTime();
            Redactor.redactText(word);
            if (i >= warmup) {
                ms[i - warmup] = (System.nanoTime() - start) / 1_000_000.0;
            }
        }
        rows.add(new Row("warm redactor: one 12,000-character word (p50 | p99)", median(ms), p(ms, 99), "ms", measured,
                "audited before any role is checked"));
    }

    private void artifacts() throws IOException {
        try (Stream<Path> modules = Files.list(root.resolve("functions"))) {
            for (Path module : modules.sorted().toList()) {
                Path target = module.resolve("target");
                if (!Files.isDirectory(target)) {
                    continue;
                }
                try (Stream<Path> jars = Files.list(target)) {
                    for (Path jar : jars.filter(p -> p.getFileName().toString().endsWith("-lambda.jar")).toList()) {
                        double mb = Files.size(jar) / 1_000_000.0;
                        rows.add(new Row("artifact " + module.getFileName(), mb, mb, "MB", 1, jar.getFileName().toString()));
                    }
                }
            }
        }
    }

    private void report() throws IOException {
        System.out.printf("%-62s %10s %10s %-8s %5s  %s%n", "", "median", "p90/p99", "unit", "runs", "");
        List<Map<String, Object>> json = new ArrayList<>();
        for (Row row : rows) {
            System.out.printf("%-62s %10.2f %10.2f %-8s %5d  %s%n", row.name(), row.median(), row.p90(), row.unit(), row.runs(),
                    row.note());
            Map<String, Object> object = new LinkedHashMap<>();
            object.put("name", row.name());
            object.put("median", Math.round(row.median() * 100) / 100.0);
            object.put("p90", Math.round(row.p90() * 100) / 100.0);
            object.put("unit", row.unit());
            object.put("runs", row.runs());
            object.put("note", row.note());
            json.add(object);
        }
        Path out = root.resolve("target/bench/results.json");
        Files.createDirectories(out.getParent());
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("machine", machine());
        document.put("jvmFlags", LAMBDA_JVM);
        document.put("rows", json);
        Files.writeString(out, Json.write(document) + "\n");
        System.out.println("written: " + out);
    }

    private static String machine() {
        return Runtime.getRuntime().availableProcessors() + " cores, " + System.getProperty("java.vm.name") + " "
                + System.getProperty("java.version") + ", " + System.getProperty("os.name") + " " + System.getProperty("os.arch");
    }

    private String harnessClassPath() {
        List<String> entries = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String name = Path.of(entry).getFileName().toString();
            if (name.startsWith("aws-lambda-java-serialization") || name.startsWith("aws-lambda-java-events")
                    || name.startsWith("aws-lambda-java-core") || name.startsWith("chatops-testing") || name.startsWith("joda-time")
                    || entry.endsWith("bench/target/classes") || entry.endsWith("testing/target/classes")) {
                entries.add(entry);
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    private String boltClassPath() {
        List<String> entries = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String name = Path.of(entry).getFileName().toString();
            if (name.startsWith("bolt-") || name.startsWith("slack-") || name.startsWith("gson-") || name.startsWith("okhttp-")
                    || name.startsWith("okio") || name.startsWith("kotlin-stdlib") || name.startsWith("slf4j-")
                    || name.startsWith("annotations-") || name.startsWith("error_prone")) {
                entries.add(entry);
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    private String lambdaJar(String module) throws IOException {
        try (Stream<Path> files = Files.list(root.resolve("functions").resolve(module).resolve("target"))) {
            return files.filter(p -> p.getFileName().toString().endsWith("-lambda.jar")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("build first: no -lambda.jar for " + module)).toString();
        }
    }

    /** {@code command} typed by the local stack's linked admin (a maintainer with 2FA on the ops instance). */
    private static CommandRequest asLocalAdmin(CommandRun command, String responseUrl) {
        return new CommandRequest(UUID.randomUUID().toString(), LocalStack.LOCAL_TEAM, "", LocalStack.LOCAL_ADMIN, "admin",
                "C1", "ops", "/chatops", command.command(), command.args(), Map.of(), String.join(" ", command.args()),
                responseUrl, Instant.now());
    }

    private static CommandRequest whoami(String responseUrl) {
        return new CommandRequest(UUID.randomUUID().toString(), "TBENCH", "", "UBENCH", "bench", "C1", "ops", "/chatops",
                "whoami", List.of(), Map.of(), "", responseUrl, Instant.now());
    }

    private static String gatewayEvent(String text, String secret) {
        APIGatewayV2HTTPEvent event = event(text, secret, Instant.now().getEpochSecond(), "UBENCH");
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("version", "2.0");
        json.put("routeKey", "POST /slack/commands");
        json.put("rawPath", "/slack/commands");
        json.put("rawQueryString", "");
        json.put("headers", event.getHeaders());
        json.put("requestContext", Map.of("requestId", UUID.randomUUID().toString(), "routeKey", "POST /slack/commands",
                "http", Map.of("method", "POST", "path", "/slack/commands")));
        json.put("body", event.getBody());
        json.put("isBase64Encoded", true);
        return Json.write(json);
    }

    private static APIGatewayV2HTTPEvent event(String text, String secret, long timestamp, String userId) {
        byte[] body = SlackRequests.formBody(SlackRequests.slashCommand(text, userId, "https://hooks.slack.com/commands/T1/1/bench"));
        Map<String, String> headers = new HashMap<>();
        headers.put("content-type", "application/x-www-form-urlencoded");
        headers.put("host", "bench.execute-api.us-east-1.amazonaws.com");
        headers.put("x-forwarded-proto", "https");
        headers.put("x-slack-request-timestamp", Long.toString(timestamp));
        headers.put("x-slack-signature", SlackRequests.sign(secret, timestamp, body));
        APIGatewayV2HTTPEvent event = new APIGatewayV2HTTPEvent();
        event.setHeaders(headers);
        event.setBody(Base64.getEncoder().encodeToString(body));
        event.setIsBase64Encoded(true);
        event.setRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder().withRequestId(UUID.randomUUID().toString()).build());
        return event;
    }

    static double median(double[] values) {
        return p(values, 50);
    }

    static double p(double[] values, int percentile) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int index = (int) Math.ceil(percentile / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    /** Swallows the handlers' logs during the benchmark. */
    private static final class OutputStreamNull extends java.io.OutputStream {
        static final OutputStreamNull INSTANCE = new OutputStreamNull();

        @Override
        public void write(int b) {
            // discard
        }

        @Override
        public void write(byte[] b, int off, int len) {
            // discard
        }
    }
}
