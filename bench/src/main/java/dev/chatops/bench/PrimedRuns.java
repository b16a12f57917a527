package dev.chatops.bench;

import static dev.chatops.bench.Stats.median;
import static dev.chatops.bench.Stats.p;

import dev.chatops.local.RuntimeClient;
import dev.chatops.testing.CaptureServer;
import dev.chatops.testing.MotoExtension;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The first invocation after a SnapStart restore, primed and not, against the warm invocation, per
 * function ({@link PrimedRun} in fresh JVMs, primed and unprimed interleaved). What the first
 * invocation still pays after priming is what the warm-up could not reach without side effects:
 * fetching credentials and secrets, opening connections, the store and GitLab.
 */
final class PrimedRuns {
    private final Path root;
    private final Report report;

    PrimedRuns(Path root, Report report) {
        this.root = root;
        this.report = report;
    }

    void run(int runs, Map<String, String> gatewayEnv, Map<String, Map<String, String>> functionEnvs, boolean replica,
             CaptureServer slack) throws Exception {
        String harness = ClassPaths.harness() + File.pathSeparator + ClassPaths.runtimeClient();
        Path events = Files.createTempDirectory("bench-primed");
        Map<String, List<double[]>> primed = new LinkedHashMap<>();
        Map<String, List<double[]>> unprimed = new LinkedHashMap<>();
        for (int i = 0; i < runs; i++) {
            for (boolean prime : i % 2 == 0 ? new boolean[] {true, false} : new boolean[] {false, true}) {
                Map<String, List<double[]>> samples = prime ? primed : unprimed;
                Path first = events.resolve(UUID.randomUUID() + ".json");
                Path second = events.resolve(UUID.randomUUID() + ".json");
                Files.writeString(first, BenchEvents.gatewayEvent("run whoami", MotoExtension.SIGNING_SECRET));
                Files.writeString(second, BenchEvents.gatewayEvent("run whoami", MotoExtension.SIGNING_SECRET));
                double[] gateway = once(prime, ClassPaths.lambdaJar(root, "gateway") + File.pathSeparator + harness,
                        "dev.chatops.gateway.GatewayFunction", first, second, gatewayEnv);
                samples.computeIfAbsent("gateway", k -> new ArrayList<>()).add(gateway);
                for (ColdStarts.CommandRun command : ColdStarts.COMMANDS) {
                    if (!replica && command.function().equals("ExplainFunction")) {
                        continue;
                    }
                    String firstPath = "/primed/" + UUID.randomUUID();
                    String secondPath = "/primed/" + UUID.randomUUID();
                    Files.writeString(first, BenchEvents.asLocalAdmin(command.line(), slack.url(firstPath)).toJson());
                    Files.writeString(second,
                            BenchEvents.asLocalAdmin(command.line(), slack.url(secondPath)).toJson());
                    double[] sample = once(prime, ClassPaths.lambdaJar(root, command.module()) + File.pathSeparator
                            + harness, command.handler(), first, second, functionEnvs.get(command.function()));
                    // Both invocations have answered by the time the JVM printed its figures.
                    for (String path : List.of(firstPath, secondPath)) {
                        List<CaptureServer.Post> posts = slack.postsTo(path);
                        String answer = posts.isEmpty() ? "(nothing)"
                                : CaptureServer.textOf(posts.get(posts.size() - 1));
                        if (!answer.contains(command.answerContains())) {
                            throw new IllegalStateException(command.label() + " did not answer as itself: " + answer);
                        }
                    }
                    samples.computeIfAbsent(command.label(), k -> new ArrayList<>()).add(sample);
                }
            }
        }
        for (String name : primed.keySet()) {
            double[] first = column(primed.get(name), 1);
            double[] warm = column(primed.get(name), 2);
            double[] hooks = column(primed.get(name), 0);
            double[] unprimedFirst = column(unprimed.get(name), 1);
            report.add("primed " + name + ": first invocation after restore", median(first), p(first, 90), "ms",
                    first.length, String.format("%.1f× warm (target ≤ 3×); unprimed %.0f ms, %.1f× warm",
                            median(first) / median(warm), median(unprimedFirst),
                            median(unprimedFirst) / median(warm)));
            report.add("primed " + name + ": warm invocation", median(warm), p(warm, 90), "ms", warm.length, "");
            report.add("primed " + name + ": priming hooks (before the snapshot)", median(hooks), p(hooks, 90), "ms",
                    hooks.length, "paid when the version is published, not by a person");
        }
    }

    private static double[] column(List<double[]> runs, int index) {
        return runs.stream().mapToDouble(s -> s[index]).toArray();
    }

    /** {hooks ms, first ms, second ms} of one fresh JVM. */
    private double[] once(boolean prime, String classPath, String handler, Path first, Path second,
                          Map<String, String> env) throws Exception {
        ProcessBuilder builder = ColdStarts.freshJvm(
                List.of(RuntimeClient.CRAC_COMPAT, RuntimeClient.nativeLibrary(RuntimeClient.jars())), classPath,
                PrimedRun.class, List.of(prime ? "primed" : "unprimed", handler, first.toString(), second.toString()),
                env);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException(handler + " failed: " + output);
        }
        String line = output.lines().filter(l -> l.startsWith("PRIMED ")).findFirst()
                .orElseThrow(() -> new IllegalStateException(handler + " printed no result: " + output));
        boolean primedOnRestore = output.contains("\"event\":\"snapstart.restored\"")
                && output.contains("\"primed\":true");
        if (prime != primedOnRestore || output.contains("snapstart.priming_failed")) {
            throw new IllegalStateException(handler + (prime ? " was not primed: " : " was primed: ") + output);
        }
        String[] parts = line.split(" ", 5);
        if (handler.contains("Gateway") && !parts[4].startsWith("{\"statusCode\":200,")) {
            throw new IllegalStateException(handler + " did not ack: " + parts[4]);
        }
        return new double[] {Double.parseDouble(parts[1]), Double.parseDouble(parts[2]), Double.parseDouble(parts[3])};
    }
}
