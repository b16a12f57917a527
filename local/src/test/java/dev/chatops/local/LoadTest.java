package dev.chatops.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatops.testing.CaptureServer;
import dev.chatops.testing.SecretsNotLogged;
import dev.chatops.testing.SlackRequests;
import dev.chatops.testing.Soak;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * 200 signed slash commands at once against the local stack (loopback only, a bounded number, no
 * loop), a mix of every command: {@code whoami} from unlinked people, and the linked admin's
 * {@code member list}, {@code feature get}, {@code auto_deploy status} and {@code explain} (one at a time
 * per person: the others are told one is running; whose role may hold 5 connections: the rest are told
 * the replica refused). Every one is acked with 200 by the gateway, answered exactly once, by an answer
 * of its own command (never the "failed" of a crash), and audited exactly once. ({@code -P soak} sends
 * 1,000; {@code -Dchatops.load=N} any number.)
 *
 * <p>How fast the acks come is not asserted here: 200 requests at once on a shared 2-core machine
 * measure the machine as much as the gateway. The slowest ack is printed; Slack's 3-second promise is
 * measured by {@code bin/chatops-bench} (the gateway's time to the ack, beside a hello-world handler).
 */
@org.junit.jupiter.api.extension.ExtendWith(SecretsNotLogged.class)
class LoadTest {
    private static final String SECRET = "load-test-secret";
    private static final int REQUESTS = Soak.count("chatops.load", 200, 1000);

    /** What is typed, in turn; the first two by unlinked people, the rest by the linked local admin. */
    private static final List<String> TEXTS = List.of(
            "run whoami",
            "run whoami",
            "run member list ops/chatops --ops",
            "run feature get my_flag --staging",
            "run auto_deploy status",
            "run explain SELECT * FROM projects WHERE id = {i}");
    /** For each text: what its own answer says (one of these). */
    private static final List<String[]> ANSWERS = List.of(new String[] {"Not linked"}, new String[] {"Not linked"},
            new String[] {"owner        admin"}, new String[] {"my_flag"}, new String[] {"gprd"},
            new String[] {"EXPLAIN ANALYZE on the production replica", "refused the connection (SQLSTATE 53300)",
                    "No database replica is configured", "You already have an `explain` running"});

    @RegisterExtension
    static final CaptureServer slack = new CaptureServer();

    /**
     * explain posts a progress line first when it runs; one refused because the same person already has
     * one running answers at once, in one post.
     */
    private static int postsOf(int i) {
        if (i % TEXTS.size() != 5 || !stack.replica().isPresent()) {
            return 1;
        }
        slack.awaitPosts("/load/" + i, 1, Duration.ofSeconds(60));
        return CaptureServer.textOf(slack.postsTo("/load/" + i).get(0)).contains("running EXPLAIN") ? 2 : 1;
    }

    private static LocalStack stack;

    @BeforeAll
    static void start() throws Exception {
        // One execution environment per command function: on 2 cores, more JVMs only take CPU from
        // the gateway, whose acks are what is measured (in Lambda each has CPU of its own).
        // 200 commands at once are far past the HTTP API's throttle a team deploys with (a burst of 100,
        // 50 a second, ApiThrottlingTest): this measures the functions behind it, so the throttle is raised.
        stack = LocalStack.start(LocalStack.Options.defaults().withSigningSecret(SECRET).withMaxContainers(1)
                .withParameters(Map.of("ApiThrottlingBurstLimit", "100000", "ApiThrottlingRateLimit", "100000")));
        // The burst meets the functions warm, as a deployment in use does: every execution
        // environment the local stack allows each function has answered a command. Each is a JVM of
        // its own, and a cold one costs far more here than a SnapStart restore does in Lambda; cold
        // starts are bin/chatops-bench's to measure.
        HttpClient http = HttpClient.newHttpClient();
        List<CompletableFuture<HttpResponse<String>>> warming = new ArrayList<>();
        int environments = LambdaFunctions.INTERACTIVE_CONTAINERS;
        for (int i = 0; i < TEXTS.size() * environments; i++) {
            Map<String, String> form = SlackRequests.slashCommand(TEXTS.get(i % TEXTS.size()).replace("{i}", "0"),
                    LocalStack.LOCAL_ADMIN, slack.url("/warm/" + i));
            form.put("team_id", LocalStack.LOCAL_TEAM);
            byte[] body = SlackRequests.formBody(form);
            long now = Instant.now().getEpochSecond();
            warming.add(http.sendAsync(HttpRequest.newBuilder(URI.create(stack.commandsUrl()))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .header("X-Slack-Request-Timestamp", Long.toString(now))
                    .header("X-Slack-Signature", SlackRequests.sign(SECRET, now, body))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString()));
        }
        warming.forEach(CompletableFuture::join);
        for (int i = 0; i < TEXTS.size() * environments; i++) {
            slack.awaitPosts("/warm/" + i, 1, Duration.ofSeconds(120));
        }
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void concurrent_commands_are_all_acked_in_time_answered_once_and_audited_once() throws Exception {
        HttpClient http = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(32)).build();
        long now = Instant.now().getEpochSecond();
        List<CompletableFuture<long[]>> sent = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            Map<String, String> form = SlackRequests.slashCommand(
                    TEXTS.get(i % TEXTS.size()).replace("{i}", Integer.toString(i)),
                    i % TEXTS.size() < 2 ? "ULOAD" + i : LocalStack.LOCAL_ADMIN,
                    slack.url("/load/" + i));
            form.put("team_id", i % TEXTS.size() < 2 ? "TLOAD" : LocalStack.LOCAL_TEAM);
            form.put("channel_id", "CLOAD");
            byte[] body = SlackRequests.formBody(form);
            HttpRequest request = HttpRequest.newBuilder(URI.create(stack.commandsUrl()))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .header("X-Slack-Request-Timestamp", Long.toString(now))
                    .header("X-Slack-Signature", SlackRequests.sign(SECRET, now, body))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
            long start = System.nanoTime();
            sent.add(http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                    .thenApply(r -> new long[] {r.statusCode(), (System.nanoTime() - start) / 1_000_000}));
        }
        List<long[]> acks = sent.stream().map(CompletableFuture::join).toList();

        assertThat(acks).allSatisfy(ack -> assertThat(ack[0]).isEqualTo(200));
        for (int i = 0; i < REQUESTS; i++) {
            slack.awaitPosts("/load/" + i, postsOf(i), Duration.ofSeconds(60));
        }
        Thread.sleep(1000);
        for (int i = 0; i < REQUESTS; i++) {
            List<CaptureServer.Post> posts = slack.postsTo("/load/" + i);
            assertThat(posts).as("posts to %d (%s)", i, TEXTS.get(i % TEXTS.size())).hasSize(postsOf(i));
            String answer = CaptureServer.textOf(posts.get(posts.size() - 1));
            assertThat(answer).as("answer to %d", i).containsAnyOf(ANSWERS.get(i % TEXTS.size()))
                    .doesNotContain("failed. Request id");
        }
        try (DynamoDbClient dynamo = DynamoDbClient.builder().httpClient(UrlConnectionHttpClient.create()).build()) {
            int audited = 0;
            Map<String, AttributeValue> start = null;
            do {
                Map<String, AttributeValue> from = start;
                var page = dynamo.scan(b -> {
                    b.tableName(stack.aws().ref("AuditTable")).filterExpression("channelId = :c")
                            .expressionAttributeValues(Map.of(":c", AttributeValue.fromS("CLOAD")));
                    if (from != null) {
                        b.exclusiveStartKey(from);
                    }
                });
                audited += page.count();
                start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty()
                        ? page.lastEvaluatedKey()
                        : null;
            } while (start != null);
            assertThat(audited).isEqualTo(REQUESTS);
        }
        long slowest = acks.stream().mapToLong(a -> a[1]).max().orElse(0);
        List<Integer> explains = IntStream.range(0, REQUESTS).filter(i -> i % TEXTS.size() == 5).boxed().toList();
        long refusedByReplica = explains.stream()
                .filter(i -> CaptureServer.textOf(slack.postsTo("/load/" + i).get(postsOf(i) - 1))
                        .contains("53300"))
                .count();
        long oneAtATime = explains.stream()
                .filter(i ->
                        CaptureServer.textOf(slack.postsTo("/load/" + i).get(0)).contains("You already have"))
                .count();
        System.out.println("load: " + REQUESTS + " concurrent commands, slowest ack " + slowest + " ms; "
                + refusedByReplica
                + " of " + explains.size() + " explains told the replica refused the connection (its role holds 5), "
                + oneAtATime + " that one of the same person's was running");
    }
}
