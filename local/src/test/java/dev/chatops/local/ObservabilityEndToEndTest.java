package dev.chatops.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatops.shared.Json;
import dev.chatops.testing.CaptureServer;
import dev.chatops.testing.EmbeddedMetrics;
import dev.chatops.testing.SecretsNotLogged;
import dev.chatops.testing.SlackRequests;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What operators see of the deployed functions, through the local stack as deployed: every request
 * the gateway answers and every attempt of a command function writes its metrics document (CloudWatch's
 * embedded metric format, checked against the specification) into its log, and one X-Ray trace spans
 * the gateway and the command function it invoked (the gateway passes its trace header on with the
 * Invoke; Lambda, emulated here as it documents it, continues it); and every function's SnapStart
 * priming ran before its snapshot, through the runtime interface client's hooks.
 */
@ExtendWith(SecretsNotLogged.class)
class ObservabilityEndToEndTest {
    private static final String SECRET = "observability-signing-secret";
    private static final Duration REPLY = Duration.ofSeconds(30);

    @RegisterExtension
    static final CaptureServer slack = new CaptureServer();

    /** Every line every function printed: {function, line}. */
    private static final List<String[]> LOGS = new CopyOnWriteArrayList<>();
    private static LocalStack stack;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void startStack() {
        stack = LocalStack.start(LocalStack.Options.defaults().withSigningSecret(SECRET)
                .withLog((function, line) -> {
                    LOGS.add(new String[] {function, line});
                    System.out.println("[" + function + "] " + line);
                }));
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void every_answer_and_every_attempt_writes_one_valid_metrics_document_and_one_trace_spans_gateway_and_function()
            throws Exception {
        stack.stagingGitLab().setFeature("my_flag", "true");
        String whoami = send("run whoami", "U0NOBODY", SECRET, 200);
        String get = send("run feature get my_flag", LocalStack.LOCAL_ADMIN, SECRET, 200);
        String asked = send("run feature set my_flag true", LocalStack.LOCAL_ADMIN, SECRET, 200);
        send("run help", LocalStack.LOCAL_ADMIN, SECRET, 200);
        send("run deploy_everything", LocalStack.LOCAL_ADMIN, SECRET, 200);
        send("run whoami extra words", LocalStack.LOCAL_ADMIN, SECRET, 200);
        send("run whoami", LocalStack.LOCAL_ADMIN, "not-the-secret", 401);
        for (String path : List.of(whoami, get, asked)) {
            slack.awaitPosts(path, 1, REPLY);
        }
        Thread.sleep(1500);

        Map<String, List<Map<String, Object>>> documents = new LinkedHashMap<>();
        for (String[] line : LOGS) {
            for (Map<String, Object> document : EmbeddedMetrics.documentsIn(line[1])) {
                assertThat(EmbeddedMetrics.violations(document)).as("%s: %s", line[0], line[1]).isEmpty();
                documents.computeIfAbsent(line[0], f -> new ArrayList<>()).add(document);
            }
        }
        List<String> acks = documents.getOrDefault("GatewayFunction", List.of()).stream()
                .filter(d -> "commands".equals(d.get("Route"))).map(d -> String.valueOf(d.get("Result"))).toList();
        assertThat(acks).containsExactlyInAnyOrder("dispatched", "dispatched", "dispatched", "help", "unknown",
                "usage", "unsigned");
        assertThat(attempts(documents, "UserFunction")).containsExactly("whoami none ran");
        assertThat(attempts(documents, "FeatureFunction"))
                .containsExactlyInAnyOrder("feature get ran", "feature set awaiting approval");
        for (Map<String, Object> attempt : documents.get("FeatureFunction")) {
            assertThat(((Number) attempt.get("DynamoDbRequests")).intValue()).as("counted by the SDK's interceptor")
                    .isPositive();
        }

        // One trace per command: the gateway's "dispatched" line and every line the command function
        // wrote for the same request carry the same trace root.
        Map<String, Set<String>> traces = new LinkedHashMap<>();
        Map<String, Set<String>> functions = new LinkedHashMap<>();
        for (String[] line : LOGS) {
            if (!line[1].startsWith("{\"ts\"")) {
                continue;
            }
            Map<String, Object> json = Json.readObject(line[1]);
            if (json.get("requestId") instanceof String id && id.startsWith("sl-")) {
                traces.computeIfAbsent(id, k -> new HashSet<>()).add(String.valueOf(json.get("trace")));
                functions.computeIfAbsent(id, k -> new HashSet<>()).add(line[0]);
            }
        }
        List<String> dispatched = LOGS.stream().filter(l -> l[0].equals("GatewayFunction")
                        && l[1].contains("\"event\":\"dispatched\""))
                .map(l -> String.valueOf(Json.readObject(l[1]).get("requestId"))).toList();
        assertThat(dispatched).hasSize(3);
        for (String id : dispatched) {
            assertThat(functions.get(id)).as("the functions that logged %s", id).hasSize(2);
            assertThat(traces.get(id)).as("the trace roots of %s", id).singleElement().asString()
                    .matches("1-[0-9a-f]{8}-[0-9a-f]{24}");
        }
        assertThat(dispatched.stream().map(id -> traces.get(id).iterator().next()).distinct()).hasSize(3);

        // SnapStart: each environment ran its priming before the "snapshot", and said so once restored.
        for (String function : List.of("GatewayFunction", "UserFunction", "FeatureFunction")) {
            assertThat(LOGS.stream().filter(l -> l[0].equals(function)
                            && l[1].contains("\"event\":\"snapstart.restored\"")).map(l -> l[1]))
                    .as("%s's restores", function).isNotEmpty()
                    .allSatisfy(line -> assertThat(line).contains("\"primed\":true"));
        }
        assertThat(LOGS.stream().map(l -> l[1])).noneMatch(line -> line.contains("snapstart.priming_failed"));
    }

    /** "command form result" of each attempt a function counted. */
    private static List<String> attempts(Map<String, List<Map<String, Object>>> documents, String function) {
        return documents.getOrDefault(function, List.of()).stream()
                .map(d -> d.get("Command") + " " + d.get("Form") + " " + d.get("Result")).toList();
    }

    /** Sends a signed slash command; the response_url path its answers go to. */
    private String send(String text, String user, String secret, int status) throws Exception {
        String path = "/o/" + UUID.randomUUID();
        Map<String, String> form = SlackRequests.slashCommand(text, user, slack.url(path));
        form.put("team_id", LocalStack.LOCAL_TEAM);
        byte[] body = SlackRequests.formBody(form);
        long now = Instant.now().getEpochSecond();
        HttpResponse<String> ack = http.send(HttpRequest.newBuilder(URI.create(stack.commandsUrl()))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("X-Slack-Request-Timestamp", Long.toString(now))
                .header("X-Slack-Signature", SlackRequests.sign(secret, now, body))
                .timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(ack.statusCode()).as(text).isEqualTo(status);
        return path;
    }
}
