package dev.chatops.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatops.testing.CaptureServer;
import dev.chatops.testing.SlackRequests;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * 200 signed slash commands at once against the local stack (loopback only, a bounded number, no
 * loop): every one is acked with 200 inside Slack's 3 seconds, answered exactly once, and audited
 * exactly once. ({@code -P soak} sends 1,000; {@code -Dchatops.load=N} any number.)
 */
@org.junit.jupiter.api.extension.ExtendWith(dev.chatops.testing.SecretsNotLogged.class)
class LoadTest {
    private static final String SECRET = "load-test-secret";
    private static final int REQUESTS = dev.chatops.testing.Soak.count("chatops.load", 200, 1000);

    @RegisterExtension
    static final CaptureServer slack = new CaptureServer();

    private static LocalStack stack;

    @BeforeAll
    static void start() {
        stack = LocalStack.start(LocalStack.Options.defaults().withSigningSecret(SECRET));
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
            Map<String, String> form = SlackRequests.slashCommand("run whoami", "ULOAD" + i, slack.url("/load/" + i));
            form.put("team_id", "TLOAD");
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

        // Slack's promise: an answer within 3 s, or the person sees operation_timeout.
        assertThat(acks).allSatisfy(ack -> {
            assertThat(ack[0]).isEqualTo(200);
            assertThat(ack[1]).isLessThan(3000);
        });
        for (int i = 0; i < REQUESTS; i++) {
            assertThat(slack.awaitPosts("/load/" + i, 1, Duration.ofSeconds(60))).as("reply to %d", i).hasSize(1);
        }
        Thread.sleep(1000);
        for (int i = 0; i < REQUESTS; i++) {
            assertThat(slack.postsTo("/load/" + i)).as("replies to %d", i).hasSize(1);
        }
        try (DynamoDbClient dynamo = DynamoDbClient.builder().httpClient(UrlConnectionHttpClient.create()).build()) {
            int audited = 0;
            Map<String, AttributeValue> start = null;
            do {
                Map<String, AttributeValue> from = start;
                var page = dynamo.scan(b -> {
                    b.tableName(stack.aws().ref("AuditTable")).filterExpression("teamId = :t")
                            .expressionAttributeValues(Map.of(":t", AttributeValue.fromS("TLOAD")));
                    if (from != null) {
                        b.exclusiveStartKey(from);
                    }
                });
                audited += page.count();
                start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
            } while (start != null);
            assertThat(audited).isEqualTo(REQUESTS);
        }
        long slowest = acks.stream().mapToLong(a -> a[1]).max().orElse(0);
        System.out.println("load: " + REQUESTS + " concurrent commands, slowest ack " + slowest + " ms");
    }
}
