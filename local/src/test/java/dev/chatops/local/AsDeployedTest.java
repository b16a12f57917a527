package dev.chatops.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatops.shared.CommandRequest;
import dev.chatops.shared.Json;
import dev.chatops.testing.CaptureServer;
import dev.chatops.testing.LocalAws;
import dev.chatops.testing.SecretsNotLogged;
import dev.chatops.testing.Template;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvocationType;

/**
 * Every function of the template as Lambda runs it: a JVM of its own from its {@code sam build}
 * artifact, started by AWS's runtime interface client through its no-argument constructor, with
 * the template's environment and Lambda's reserved variables, and credentials only from the
 * container credentials endpoint — never key variables. Every sample event of events/ runs
 * through it as {@code bin/chatops-local invoke} runs it.
 */
@org.junit.jupiter.api.extension.ExtendWith(SecretsNotLogged.class)
class AsDeployedTest {
    private static final Path EVENTS = Template.projectRoot().resolve("events");
    /** Which function each sample event is for. */
    private static final Map<String, String> SAMPLES = Map.of("gateway-whoami.json", "GatewayFunction",
            "user-whoami.json", "UserFunction", "member-request.json", "MemberFunction",
            "feature-request.json", "FeatureFunction", "explain-request.json", "ExplainFunction",
            "auto-deploy-request.json", "AutoDeployFunction", "failure-notice-sqs.json", "CommandFailureFunction",
            "link-start.json", "LinkFunction", "access-check.json", "AccessCheckFunction");

    @org.junit.jupiter.api.extension.RegisterExtension
    static final CaptureServer slack = new CaptureServer();

    private static LocalStack stack;

    @BeforeAll
    static void start() {
        stack = LocalStack.start(LocalStack.Options.defaults());
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void every_sample_event_runs_through_its_function_and_gets_that_functions_answer() throws IOException {
        try (var files = Files.list(EVENTS)) {
            List<String> events = files.map(p -> p.getFileName().toString())
                    .filter(n -> !n.equals("env.local.json"))
                    .toList();
            assertThat(SAMPLES.keySet())
                    .as("a function for every sample event")
                    .containsExactlyInAnyOrderElementsOf(events);
        }
        assertThat(SAMPLES.values()).as("a sample event for every function")
                .containsExactlyInAnyOrderElementsOf(LocalAws.projectTemplate().functions().keySet());
        for (Map.Entry<String, String> sample : SAMPLES.entrySet()) {
            String event =
                    Main.resigned(Files.readString(EVENTS.resolve(sample.getKey())), LocalStack.DEV_SIGNING_SECRET);
            LambdaContainer.Result result = stack.invoke(sample.getValue(), event.getBytes(StandardCharsets.UTF_8));
            String payload = new String(result.payload(), StandardCharsets.UTF_8);

            assertThat(result.failed()).as(sample + " answered " + payload).isFalse();
            Map<String, Object> answer = Json.readObject(payload);
            switch (sample.getValue()) {
                // The sample's response_url is Slack's; the local stack answers only loopback ones, so
                // that no reply leaves this machine, and the gateway says so.
                case "GatewayFunction" -> {
                    assertThat(answer.get("statusCode")).isEqualTo(200);
                    assertThat(String.valueOf(answer.get("body")))
                            .contains("response URL is not one ChatOps answers to");
                }
                case "LinkFunction" -> assertThat(answer.get("statusCode")).as(payload).isEqualTo(400);
                case "CommandFailureFunction" -> assertThat(answer).containsKey("batchItemFailures");
                // The sample asks about a Slack user nobody linked.
                case "AccessCheckFunction" -> assertThat(answer).containsEntry("linked", false);
                default -> assertThat(answer).as(sample.getKey()).containsEntry("status", "done");
            }
        }
    }

    @Test
    void no_function_process_has_aws_keys_in_its_environment_or_system_properties_only_the_container_endpoint()
            throws IOException {
        for (String function : LocalAws.projectTemplate().functions().keySet()) {
            if (stack.functions().pids(function).isEmpty()) {
                stack.invoke(function, "{}".getBytes(StandardCharsets.UTF_8));
            }
            List<Long> pids = stack.functions().pids(function);
            assertThat(pids).as(function + " runs in a process of its own").isNotEmpty()
                    .doesNotContain(ProcessHandle.current().pid());
            for (long pid : pids) {
                Map<String, String> environ = environ(pid);
                assertThat(environ).as(function).doesNotContainKeys("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                        "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_SHARED_CREDENTIALS_FILE");
                assertThat(environ).as(function).containsKeys("AWS_CONTAINER_CREDENTIALS_FULL_URI",
                        "AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_LAMBDA_RUNTIME_API", "_HANDLER", "AWS_REGION",
                        "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE");
                assertThat(environ).as(function).containsEntry("AWS_LAMBDA_INITIALIZATION_TYPE", "snap-start")
                        .containsEntry("AWS_LAMBDA_FUNCTION_NAME", function);
                assertThat(environ.get("AWS_ENDPOINT_URL")).as(function + " reaches AWS through the front door only")
                        .doesNotContain(String.valueOf(stack.moto().port()));
                String commandLine = String.join(" ", Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"))
                        .split("\0"));
                assertThat(commandLine)
                        .as(function)
                        .contains("com.amazonaws.services.lambda.runtime.api.client.AWSLambda")
                        .doesNotContain("aws.accessKeyId", "aws.secretAccessKey", "aws.sessionToken")
                        .contains("-XX:MaxHeapSize="
                                + LocalAws.projectTemplate().function(function).memorySize() * 1024 * 85 / 100 + "k");
                assertThat(Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "cwd")))
                        .as(function + " runs from its sam build artifact").endsWith(Path.of("sam-build", function));
            }
        }
    }

    @Test
    void a_function_that_cannot_start_is_reported_as_lambda_reports_it_and_the_others_go_on() throws Exception {
        try (LocalStack broken = LocalStack.start(LocalStack.Options.defaults()
                .withEnv(Map.of("ACCESS_LEVEL_MAX_AGE_SECONDS", "not-a-number")))) {
            LambdaContainer.Result result = broken.invoke("UserFunction",
                    Files.readAllBytes(EVENTS.resolve("user-whoami.json")));

            assertThat(result.functionError()).isEqualTo("Unhandled");
            assertThat(new String(result.payload(), StandardCharsets.UTF_8))
                    .contains("ACCESS_LEVEL_MAX_AGE_SECONDS must be a whole number");
            String event = Main.resigned(
                    Files.readString(EVENTS.resolve("gateway-whoami.json")), LocalStack.DEV_SIGNING_SECRET);
            LambdaContainer.Result gateway = broken.invoke("GatewayFunction", event.getBytes(StandardCharsets.UTF_8));
            assertThat(gateway.failed()).as("the gateway reads no such variable and goes on serving").isFalse();
        }
    }

    /**
     * A command as the gateway hands it to a function: the command, its arguments and options, its
     * text, and where the HTTP API answers (for the Connect button an unlinked caller is offered).
     */
    private record Typed(String function, String command, List<String> args, Map<String, String> options, String text) {
        String request(String user, String team, String responseUrl) {
            return new CommandRequest(UUID.randomUUID().toString(), team, "", user, "someone",
                    "C0DEPLOYED", "ops", "/chatops", command, args, options, text, responseUrl, Instant.now(),
                    stack.url("")).toJson();
        }
    }

    @Test
    void every_command_functions_failed_event_reaches_its_destination_sent_with_its_own_role() throws Exception {
        // Unlinked callers: each function refuses with a Connect button (a link state signed with its
        // secret), and Slack refuses every post of every attempt, so each event fails its last retry.
        HashMap<String, String> ops = new HashMap<>();
        ops.put("ops", null);
        List<Typed> commands = List.of(new Typed("UserFunction", "whoami", List.of(), Map.of(), ""),
                new Typed("MemberFunction", "member", List.of("list", "ops/chatops"), ops, "list ops/chatops --ops"),
                new Typed("FeatureFunction", "feature", List.of("get", "my_flag"), Map.of(), "get my_flag"),
                new Typed("ExplainFunction", "explain", List.of("SELECT 1"), Map.of(), "SELECT 1"),
                new Typed("AutoDeployFunction", "auto_deploy", List.of("status"), Map.of(), "status"));
        CaptureServer.Answer[] refusals = new CaptureServer.Answer[12];
        Arrays.fill(refusals, CaptureServer.Answer.status(503));
        try (var lambda = LambdaClient.builder()
                .httpClient(UrlConnectionHttpClient.create())
                .endpointOverride(URI.create(stack.lambdaEndpoint())).build()) {
            for (Typed typed : commands) {
                String path = "/destination/" + typed.function();
                slack.answerNextOn(path, refusals);
                lambda.invoke(b -> b.functionName(typed.function() + ":live")
                        .invocationType(InvocationType.EVENT)
                        .payload(SdkBytes.fromUtf8String(
                                typed.request("U0NOBODY", "T0NOBODY", slack.url(path)))));
            }
        }

        for (Typed typed : commands) {
            List<CaptureServer.Post> posts = slack.awaitPosts("/destination/" + typed.function(), 13,
                    Duration.ofSeconds(120));
            assertThat(posts).as(typed.function()).hasSize(13);
            assertThat(posts.get(0).body())
                    .as(typed.function() + " offers to link")
                    .contains("Connect your GitLab account");
            assertThat(Main.buttonUrls(posts.get(0).json())).as(typed.function())
                    .anyMatch(url -> url.startsWith(stack.url("/link/start?state=")));
            assertThat(CaptureServer.textOf(posts.get(12))).as(typed.function()).contains("Request id: `");
        }
        assertThat(IamCalls.all()).filteredOn(c -> c.action().equals("sqs:SendMessage") && c.allowed())
                .extracting(IamCalls.Call::function).containsAll(commands.stream().map(Typed::function).toList());
    }

    @Test
    void the_linked_admin_reads_the_audit_and_finds_a_user() throws Exception {
        List<Typed> commands = List.of(new Typed("UserFunction", "audit", List.of(), Map.of("limit", "3"), "--limit=3"),
                new Typed("UserFunction", "user", List.of("find", "bob"), Map.of(), "find bob"));
        try (var lambda = LambdaClient.builder()
                .httpClient(UrlConnectionHttpClient.create())
                .endpointOverride(URI.create(stack.lambdaEndpoint())).build()) {
            for (Typed typed : commands) {
                lambda.invoke(b -> b.functionName("UserFunction:live")
                        .invocationType(InvocationType.EVENT)
                        .payload(SdkBytes.fromUtf8String(typed.request(LocalStack.LOCAL_ADMIN,
                                LocalStack.LOCAL_TEAM, slack.url("/admin/" + typed.command())))));
            }
        }

        assertThat(CaptureServer.textOf(slack.awaitPosts("/admin/audit", 1, Duration.ofSeconds(60))
                .get(0))).containsIgnoringCase("audit");
        assertThat(CaptureServer.textOf(slack.awaitPosts("/admin/user", 1, Duration.ofSeconds(60))
                .get(0))).contains("bob");
    }

    private static Map<String, String> environ(long pid) throws IOException {
        byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "environ"));
        Map<String, String> env = new LinkedHashMap<>();
        List<String> entries = new ArrayList<>(Arrays.asList(new String(raw, StandardCharsets.UTF_8).split("\0")));
        for (String entry : entries) {
            int eq = entry.indexOf('=');
            if (eq > 0) {
                env.put(entry.substring(0, eq), entry.substring(eq + 1));
            }
        }
        return env;
    }
}
