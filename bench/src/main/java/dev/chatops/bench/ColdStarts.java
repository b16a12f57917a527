package dev.chatops.bench;

import static dev.chatops.bench.Stats.median;
import static dev.chatops.bench.Stats.p;

import dev.chatops.testing.CaptureServer;
import dev.chatops.testing.ContainerCredentialsEndpoint;
import dev.chatops.testing.MotoExtension;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Cold starts in fresh JVMs from the deployable jars: the gateway, a hello-world handler that
 * computes one HMAC (typed, and as a stream handler that pays no event deserialiser, as the gateway
 * does not), Bolt for Java, and each command function answering a real command,
 * interleaved so that machine noise falls on all alike. Every cold answer is checked to be the
 * command's own. The JVMs get the execution role's credentials as SnapStart hands them out, from
 * a loopback container credentials endpoint, so their figures include fetching them.
 */
final class ColdStarts {
    /** The JVM flags of Lambda's Java runtimes. */
    static final List<String> LAMBDA_JVM = List.of("-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC");
    private static final String HELLO = "hello world (one HMAC)";
    private static final String HELLO_STREAM = "hello world, stream handler (one HMAC)";
    private static final String BOLT = "Bolt for Java 1.51.0";
    private static final String GATEWAY = "gateway";

    /** A command function measured cold: its module, handler, the command it answers and what its answer says. */
    record CommandRun(String label, String module, String handler, String function, String line,
                              String answerContains) {
    }

    static final List<CommandRun> COMMANDS = List.of(
            new CommandRun("whoami (UserFunction)", "user", "dev.chatops.user.UserFunction", "UserFunction", "whoami",
                    "on `ops`"),
            new CommandRun("feature get (FeatureFunction)", "feature", "dev.chatops.feature.FeatureFunction",
                    "FeatureFunction", "feature get my_flag", "my_flag"),
            new CommandRun("auto_deploy status (AutoDeployFunction)", "auto-deploy",
                    "dev.chatops.autodeploy.AutoDeployFunction", "AutoDeployFunction", "auto_deploy status",
                    "Deployments of"),
            new CommandRun("explain (ExplainFunction)", "explain", "dev.chatops.explain.ExplainFunction",
                    "ExplainFunction", "explain SELECT * FROM projects WHERE id = 1",
                    "EXPLAIN ANALYZE on the production replica"));

    private final Path root;
    private final Report report;
    private final ContainerCredentialsEndpoint credentials;

    ColdStarts(Path root, Report report, ContainerCredentialsEndpoint credentials) {
        this.root = root;
        this.report = report;
        this.credentials = credentials;
    }

    void run(int runs, Map<String, String> gatewayEnv, Map<String, Map<String, String>> functionEnvs, boolean replica,
             CaptureServer slack) throws Exception {
        String harness = ClassPaths.harness();
        String gatewayCp = ClassPaths.lambdaJar(root, "gateway") + File.pathSeparator + harness;
        String boltCp = harness + File.pathSeparator + ClassPaths.bolt();
        Map<String, CommandRun> commands = new LinkedHashMap<>();
        for (CommandRun command : COMMANDS) {
            if (replica || !command.function().equals("ExplainFunction")) {
                commands.put(command.label(), command);
            }
        }
        Map<String, List<double[]>> samples = new LinkedHashMap<>();
        Path events = Files.createTempDirectory("bench-events");
        for (int i = 0; i < runs; i++) {
            List<String> order = new ArrayList<>(List.of(HELLO, HELLO_STREAM, GATEWAY, BOLT));
            order.addAll(commands.keySet());
            Collections.rotate(order, i);
            for (String name : order) {
                Path event = events.resolve(UUID.randomUUID() + ".json");
                double[] sample;
                if (name.equals(HELLO)) {
                    Files.writeString(event, BenchEvents.gatewayEvent("run whoami", "hello"));
                    sample = once(harness, HelloHandler.class.getName(), event, Map.of());
                } else if (name.equals(HELLO_STREAM)) {
                    Files.writeString(event, BenchEvents.gatewayEvent("run whoami", "hello"));
                    sample = once(harness, HelloStreamHandler.class.getName(), event, Map.of());
                } else if (name.equals(BOLT)) {
                    Files.writeString(event, BenchEvents.gatewayEvent("run whoami", MotoExtension.SIGNING_SECRET));
                    sample = once(boltCp, BoltHandler.class.getName(), event,
                            Map.of("SLACK_SIGNING_SECRET", MotoExtension.SIGNING_SECRET));
                } else if (name.equals(GATEWAY)) {
                    Files.writeString(event, BenchEvents.gatewayEvent("run whoami", MotoExtension.SIGNING_SECRET));
                    sample = once(gatewayCp, "dev.chatops.gateway.GatewayFunction", event, gatewayEnv);
                } else {
                    CommandRun command = commands.get(name);
                    String path = "/bench/" + UUID.randomUUID();
                    Files.writeString(event,
                            BenchEvents.asLocalAdmin(command.line(), slack.url(path)).toJson());
                    sample = once(ClassPaths.lambdaJar(root, command.module()) + File.pathSeparator + harness,
                            command.handler(), event, functionEnvs.get(command.function()));
                    List<CaptureServer.Post> posts = slack.awaitPosts(path, 1, Duration.ofSeconds(10));
                    String answer = posts.isEmpty() ? "(nothing)" : CaptureServer.textOf(posts.get(posts.size() - 1));
                    if (!answer.contains(command.answerContains())) {
                        throw new IllegalStateException(name + " did not answer as itself: " + answer);
                    }
                }
                samples.computeIfAbsent(name, k -> new ArrayList<>()).add(sample);
            }
        }
        rows(samples);
    }

    private void rows(Map<String, List<double[]>> samples) {
        double hello = median(column(samples.get(HELLO), Sample.WALL));
        double helloStream = median(column(samples.get(HELLO_STREAM), Sample.WALL));
        double bolt = median(column(samples.get(BOLT), Sample.WALL));
        double helloOwn = median(own(samples.get(HELLO)));
        double boltOwn = median(own(samples.get(BOLT)));
        for (Map.Entry<String, List<double[]>> entry : samples.entrySet()) {
            String name = "cold " + entry.getKey();
            List<double[]> runs = entry.getValue();
            double[] wall = column(runs, Sample.WALL);
            double[] own = own(runs);
            double[] init = column(runs, Sample.INIT);
            double[] invoke = column(runs, Sample.INVOKE);
            double[] rss = column(runs, Sample.RSS_KIB);
            for (int i = 0; i < rss.length; i++) {
                rss[i] /= 1024.0;
            }
            report.add(name + ": fresh JVM to answer", median(wall), p(wall, 90), "ms", wall.length,
                    String.format("%.2f× hello world, %.2f× Bolt", median(wall) / hello, median(wall) / bolt));
            report.add(name + ": less Lambda's event deserialisation", median(own), p(own, 90), "ms", own.length,
                    String.format("%.2f× hello world, %.2f× hello stream, %.2f× Bolt", median(own) / helloOwn,
                            median(own) / helloStream, median(own) / boltOwn));
            report.add(name + ": handler init", median(init), p(init, 90), "ms", init.length, "");
            report.add(name + ": first invoke", median(invoke), p(invoke, 90), "ms", invoke.length, "");
            report.add(name + ": peak RSS", median(rss), p(rss, 90), "MiB", rss.length, "");
            double[] fetches = column(runs, Sample.FETCHES);
            if (median(fetches) > 0) {
                report.add(name + ": container credentials fetches", median(fetches), p(fetches, 90), "requests",
                        fetches.length, "SnapStart's endpoint, on loopback");
            }
        }
    }

    /** The positions in one fresh JVM's sample. */
    private static final class Sample {
        static final int WALL = 0;
        static final int INIT = 1;
        static final int INVOKE = 2;
        static final int RSS_KIB = 3;
        static final int DESERIALISE = 4;
        static final int FETCHES = 5;
    }

    private static double[] column(List<double[]> runs, int index) {
        return runs.stream().mapToDouble(s -> s[index]).toArray();
    }

    private static double[] own(List<double[]> runs) {
        return runs.stream().mapToDouble(s -> s[Sample.WALL] - s[Sample.DESERIALISE]).toArray();
    }

    /**
     * A fresh JVM with Lambda's flags and {@code flags}, running {@code main} with {@code args} on
     * {@code classPath}, its output and errors together, with {@code env} for the AWS settings and
     * no {@code AWS_*} variable or {@code JAVA_TOOL_OPTIONS} of the benchmark's own.
     */
    static ProcessBuilder freshJvm(List<String> flags, String classPath, Class<?> main, List<String> args,
                                   Map<String, String> env) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(LAMBDA_JVM);
        command.addAll(flags);
        command.addAll(List.of("-cp", classPath, main.getName()));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().keySet().removeIf(k -> k.startsWith("AWS_") || k.equals("JAVA_TOOL_OPTIONS"));
        builder.environment().putAll(env);
        return builder;
    }

    /** {wall ms, init ms, invoke ms, peak RSS KiB, deserialise ms, credentials fetches} of one fresh JVM. */
    private double[] once(String classPath, String handler, Path event, Map<String, String> env) throws Exception {
        ProcessBuilder builder = freshJvm(List.of(), classPath, ColdRun.class, List.of(handler, event.toString()), env);
        int fetchesBefore = credentials.served();
        long start = System.nanoTime();
        Process process = builder.start();
        // Until the handler has answered (its result line), not until the process exits: a Lambda
        // container does not exit, and threads winding down after the answer cost the person nothing.
        StringBuilder output = new StringBuilder();
        String line = null;
        double wall = 0;
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
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
        boolean acked = parts[5].contains("statusCode=200") || parts[5].startsWith("{\"statusCode\":200,");
        if ((handler.contains("Gateway") || handler.contains("Bolt")) && !acked) {
            throw new IllegalStateException(handler + " did not ack: " + parts[5]);
        }
        return new double[] {wall, Double.parseDouble(parts[1]), Double.parseDouble(parts[2]),
            Double.parseDouble(parts[3]), Double.parseDouble(parts[4]), credentials.served() - fetchesBefore};
    }
}
