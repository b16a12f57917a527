package dev.chatops.bench;

import dev.chatops.local.LocalStack;
import dev.chatops.shared.Log;
import dev.chatops.shared.runtime.RuntimeConfig;
import dev.chatops.testing.CaptureServer;
import dev.chatops.testing.ContainerCredentialsEndpoint;
import dev.chatops.testing.LocalAws;
import dev.chatops.testing.MotoExtension;
import dev.chatops.testing.MotoServer;
import dev.chatops.testing.Template;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * bin/chatops-bench: cold starts in fresh JVMs from the deployable jars ({@link ColdStarts}), the
 * first invocation after a SnapStart restore, primed and not ({@link PrimedRuns}), warm
 * latencies in one JVM ({@link WarmRuns}), DynamoDB requests per command ({@link RequestCounts}),
 * artifact sizes. Prints a table and writes {@code target/bench/results.json} ({@link Report}). It
 * runs on the local stack (moto, the GitLab stand-ins seeded from the fixtures, the PostgreSQL
 * replica when installed, a linked admin); Lambda's Invoke API and Slack's response_url are
 * loopback capture servers, called by the same client code as in production.
 */
public final class Bench {
    private static final List<String> COMMAND_FUNCTIONS = List.of("UserFunction", "MemberFunction",
            "FeatureFunction", "AutoDeployFunction", "ExplainFunction");

    private final Report report = new Report();
    private final Path root = Template.projectRoot();

    public static void main(String[] args) throws Exception {
        int runs = Integer.parseInt(System.getenv().getOrDefault("BENCH_RUNS", "15"));
        new Bench().run(runs);
        System.exit(0);
    }

    private void run(int runs) throws Exception {
        Log.redirect(new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8));
        try (LocalStack stack = LocalStack.start(
                     LocalStack.Options.defaults().withSigningSecret(MotoExtension.SIGNING_SECRET));
             CaptureServer lambdaApi = new CaptureServer().start();
             CaptureServer slack = new CaptureServer().start();
             ContainerCredentialsEndpoint credentials = ContainerCredentialsEndpoint.start(
                     UUID.randomUUID().toString(), Clock.systemUTC(), Duration.ofHours(6))) {
            lambdaApi.answerByDefault(CaptureServer.Answer.of(202, ""));
            LocalAws aws = stack.aws();
            // Credentials as SnapStart hands them out (template.yaml turns it on for every function):
            // no key variables, a container credentials endpoint each cold start fetches from.
            Map<String, String> awsEnv = new HashMap<>(credentials.environment());
            awsEnv.putAll(Map.of("AWS_REGION", MotoServer.REGION, "AWS_ENDPOINT_URL", stack.moto().endpoint(),
                    "AWS_ENDPOINT_URL_LAMBDA", lambdaApi.url("")));
            Map<String, String> gatewayEnv = new HashMap<>(aws.functionEnvironment("GatewayFunction", Map.of()));
            gatewayEnv.putAll(awsEnv);
            Map<String, Map<String, String>> functionEnvs = new LinkedHashMap<>();
            for (String function : COMMAND_FUNCTIONS) {
                Map<String, String> env = new HashMap<>(aws.functionEnvironment(function,
                        Map.of(RuntimeConfig.RESPONSE_URL_ALLOW, "http://127.0.0.1")));
                env.putAll(awsEnv);
                functionEnvs.put(function, env);
            }

            new ColdStarts(root, report, credentials).run(runs, gatewayEnv, functionEnvs,
                    stack.replica().isPresent(), slack);
            new PrimedRuns(root, report).run(runs, gatewayEnv, functionEnvs, stack.replica().isPresent(), slack);
            WarmRuns warm = new WarmRuns(report);
            warm.gateway(gatewayEnv, lambdaApi);
            warm.whoami(functionEnvs.get("UserFunction"), slack);
            warm.redactor();
            new RequestCounts(report).run(functionEnvs, slack);
            report.artifacts(root);
        }
        report.print(root.resolve("target/bench/results.json"));
    }
}
