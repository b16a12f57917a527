package dev.chatops.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatops.shared.Json;
import dev.chatops.shared.access.AccessStore;
import dev.chatops.shared.access.Link;
import dev.chatops.testing.CaptureServer;
import dev.chatops.testing.CaptureServer.Answer;
import dev.chatops.testing.SecretsNotLogged;
import dev.chatops.testing.SlackRequests;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvocationType;

/**
 * The local stack as a person uses it: signed slash commands over HTTP to the stack's HTTP API,
 * replies on a loopback response_url. Requests are signed by the tests' own implementation of
 * Slack's scheme, not the project's.
 */
@org.junit.jupiter.api.extension.ExtendWith(SecretsNotLogged.class)
class LocalStackEndToEndTest {
    private static final String SECRET = "e2e-signing-secret";

    @RegisterExtension
    static final CaptureServer slack = new CaptureServer();

    private static LocalStack stack;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void startStack() {
        stack = LocalStack.start(LocalStack.Options.defaults().withSigningSecret(SECRET)
                .withRetryDelays(List.of(Duration.ofMillis(200), Duration.ofMillis(400)))
                .withEnv(Map.of("ACCESS_LEVEL_MAX_AGE_SECONDS", "1")));
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void a_signed_whoami_is_acked_and_answered_on_the_response_url() throws Exception {
        long started = System.nanoTime();
        HttpResponse<String> ack = post("run whoami", "/e2e/whoami", Instant.now().getEpochSecond(), SECRET, false);
        long ackMillis = (System.nanoTime() - started) / 1_000_000;

        assertThat(ack.statusCode()).isEqualTo(200);
        assertThat(String.valueOf(Json.readObject(ack.body()).get("text"))).contains("running `/chatops run whoami`");
        List<CaptureServer.Post> replies = slack.awaitPosts("/e2e/whoami", 1, Duration.ofSeconds(30));
        assertThat(replies).hasSize(1);
        assertThat(CaptureServer.textOf(replies.get(0))).contains("<@U0E2E>", "Not linked");
        System.out.println("e2e: whoami acked in " + ackMillis + " ms");
    }

    @Test
    void forged_stale_or_future_requests_get_401_and_are_neither_dispatched_nor_answered() throws Exception {
        int auditBefore = auditCount("U0FORGED");
        long now = Instant.now().getEpochSecond();

        String forger = "U0FORGED";
        assertThat(post("run whoami", "/e2e/forged", now, SECRET, true, forger).statusCode()).isEqualTo(401);
        assertThat(post("run whoami", "/e2e/forged", now, "some-other-secret", false, forger).statusCode())
                .isEqualTo(401);
        assertThat(post("run whoami", "/e2e/forged", now - 301, SECRET, false, forger).statusCode()).isEqualTo(401);
        // 302 here is at least 301 when the gateway reads its clock, even if a second ticks over in between.
        assertThat(post("run whoami", "/e2e/forged", now + 302, SECRET, false, forger).statusCode()).isEqualTo(401);

        assertThat(slack.awaitPosts("/e2e/forged", 1, Duration.ofSeconds(2))).isEmpty();
        assertThat(auditCount("U0FORGED")).isEqualTo(auditBefore);
    }

    /**
     * The interactivity URL as the deployed gateway serves it (its Lambda handler built by
     * {@code sam build}, started by its no-argument constructor): verified as the commands URL is,
     * and told from it by the route. Slack's documented click is on a button that is not ChatOps'
     * (action_id {@code WaXA}), so it is acknowledged and nothing runs.
     */
    @Test
    void the_interactivity_url_acks_a_signed_click_empty_and_refuses_forged_or_stale_ones_as_commands_are()
            throws Exception {
        long now = Instant.now().getEpochSecond();
        byte[] click = SlackRequests.formBody(SlackRequests.interaction(
                SlackRequests.blockActions("WaXA", "click_me_123", "U0CLICK", slack.url("/e2e/click"))));
        int auditBefore = auditCount("U0CLICK");

        HttpResponse<String> acked = postForm(stack.url("/slack/interactions"), click, now, SECRET);
        assertThat(acked.statusCode()).isEqualTo(200);
        assertThat(acked.body()).isEmpty();
        assertThat(postForm(stack.url("/slack/interactions"), click, now, "some-other-secret").statusCode())
                .isEqualTo(401);
        assertThat(postForm(stack.url("/slack/interactions"), click, now - 301, SECRET).statusCode()).isEqualTo(401);
        assertThat(postForm(stack.commandsUrl(), click, now, SECRET).statusCode())
                .as("the same signed click at the commands URL is no slash command")
                .isEqualTo(400);

        assertThat(slack.awaitPosts("/e2e/click", 1, Duration.ofSeconds(2))).isEmpty();
        assertThat(auditCount("U0CLICK")).isEqualTo(auditBefore);
    }

    @Test
    void a_replayed_signed_request_is_acked_but_answered_only_once() throws Exception {
        long now = Instant.now().getEpochSecond();

        assertThat(post("run whoami", "/e2e/replay", now, SECRET, false).statusCode()).isEqualTo(200);
        assertThat(post("run whoami", "/e2e/replay", now, SECRET, false).statusCode()).isEqualTo(200);

        assertThat(slack.awaitPosts("/e2e/replay", 1, Duration.ofSeconds(30))).hasSize(1);
        assertThat(slack.awaitPosts("/e2e/replay", 2, Duration.ofSeconds(3))).hasSize(1);
    }

    @Test
    void an_async_retry_of_the_same_command_request_produces_no_second_reply() throws Exception {
        String payload = """
            {"version":1,"requestId":"%s","teamId":"T0001","enterpriseId":"","userId":"U0E2E","userName":"e2e",
             "channelId":"C1","channelName":"ops","slashCommand":"/chatops","command":"whoami","args":[],
             "options":{},"text":"","responseUrl":"%s","receivedAt":"%s"}\
            """.formatted(UUID.randomUUID(), slack.url("/e2e/retry"), Instant.now());
        try (LambdaClient lambda = LambdaClient.builder().httpClient(UrlConnectionHttpClient.create()).build()) {
            for (int delivery = 0; delivery < 3; delivery++) {
                int status = lambda.invoke(b -> b.functionName("UserFunction:live").invocationType(InvocationType.EVENT)
                        .payload(SdkBytes.fromUtf8String(payload))).statusCode();
                assertThat(status).isEqualTo(202);
            }
        }

        assertThat(slack.awaitPosts("/e2e/retry", 1, Duration.ofSeconds(30))).hasSize(1);
        assertThat(slack.awaitPosts("/e2e/retry", 2, Duration.ofSeconds(3))).hasSize(1);
    }

    @Test
    void when_slack_refuses_every_retry_the_failure_destination_tells_the_user_with_the_request_id() throws Exception {
        Answer[] failures = new Answer[12];
        Arrays.fill(failures, Answer.status(503));
        slack.answerNext(failures);

        HttpResponse<String> ack = post("run whoami", "/e2e/failing", Instant.now().getEpochSecond(), SECRET, false);

        assertThat(ack.statusCode()).isEqualTo(200);
        List<CaptureServer.Post> posts = slack.awaitPosts("/e2e/failing", 13, Duration.ofSeconds(60));
        assertThat(posts).hasSize(13);
        // whoami ran; only its answer never got through: the notice says so rather than "failed".
        assertThat(CaptureServer.textOf(posts.get(12)))
                .contains("ran, but its answer could not be delivered", "Request id: `sl-");
    }

    /** A member of the chatops project can approve: adding one waits for a second person (maint). */
    @Test
    void the_local_admin_adds_bob_on_gitlab_once_maint_approves_and_member_list_shows_him() throws Exception {
        post("run member add bob ops/chatops --ops", "/e2e/add", LocalStack.LOCAL_ADMIN);
        CaptureServer.Post asked = slack.awaitPosts("/e2e/add", 1, Duration.ofSeconds(30)).get(0);
        assertThat(CaptureServer.textOf(asked)).contains("asks for a second person's approval",
                "• add `bob` to `ops/chatops` on ops as developer");
        assertThat(stack.opsGitLab().accessLevel("ops/chatops", "bob")).isEmpty();
        byte[] click = SlackRequests.formBody(SlackRequests.interaction(SlackClicks.payload(asked, "Approve",
                LocalStack.LOCAL_MAINT, "maint", "C1", slack.url("/e2e/add-approved"))));
        long now = Instant.now().getEpochSecond();
        assertThat(SlackClicks.post(http, stack, click, now, SlackRequests.sign(SECRET, now, click)).statusCode())
                .isEqualTo(200);
        String added = CaptureServer.textOf(slack.awaitPosts("/e2e/add-approved", 1, Duration.ofSeconds(30)).stream()
                .filter(p -> CaptureServer.textOf(p).contains("added")).findFirst().orElseThrow());
        post("run member list ops/chatops --ops", "/e2e/list", LocalStack.LOCAL_ADMIN);
        String list = CaptureServer.textOf(slack.awaitPosts("/e2e/list", 1, Duration.ofSeconds(30)).get(0));

        assertThat(added).contains("added `bob` to `ops/chatops` on ops as developer");
        assertThat(stack.opsGitLab().accessLevel("ops/chatops", "bob")).contains(30);
        assertThat(list).contains("developer    bob", "owner        admin");
    }

    @Test
    void removing_a_member_on_gitlab_revokes_their_chatops_rights_once_the_cached_level_expires() throws Exception {
        long dana = stack.opsGitLab().addUser("dana", true).id();
        stack.opsGitLab().addMember("ops/chatops", "dana", 40);
        try (DynamoDbClient dynamo = DynamoDbClient.builder().httpClient(UrlConnectionHttpClient.create()).build()) {
            new AccessStore(dynamo, stack.aws().ref("AccessTable"))
                    .link(Link.of(LocalStack.LOCAL_TEAM, "U0DANA", "ops", dana, "dana", Instant.now()));
        }
        post("run member list ops/chatops --ops", "/e2e/dana-1", "U0DANA");
        assertThat(CaptureServer.textOf(slack.awaitPosts("/e2e/dana-1", 1, Duration.ofSeconds(30))
                        .get(0)))
                .contains("dana");

        stack.opsGitLab().removeMember("ops/chatops", "dana");
        Thread.sleep(1100); // the stack keeps levels for ACCESS_LEVEL_MAX_AGE_SECONDS=1 here (300 s by default)
        post("run member list ops/chatops --ops", "/e2e/dana-2", "U0DANA");

        assertThat(CaptureServer.textOf(slack.awaitPosts("/e2e/dana-2", 1, Duration.ofSeconds(30)).get(0)))
                .contains(":no_entry:", "you are not a member");
    }

    @Test
    void an_unlinked_person_is_refused_and_nothing_changes_on_gitlab() throws Exception {
        post("run member add carol ops/chatops --ops", "/e2e/unlinked", "U0STRANGER");

        assertThat(CaptureServer.textOf(slack.awaitPosts("/e2e/unlinked", 1, Duration.ofSeconds(30)).get(0)))
                .contains(":no_entry:", "not linked", "Connect your GitLab account");
        assertThat(stack.opsGitLab().accessLevel("ops/chatops", "carol")).isEmpty();
    }

    @Test
    void the_feature_rollout_staging_then_production_is_checked_approved_and_reaches_the_log_channel()
            throws Exception {
        post("run feature set my_flag 50 --actors", "/e2e/flag-early", LocalStack.LOCAL_ADMIN);
        List<CaptureServer.Post> early = slack.awaitPosts("/e2e/flag-early", 2, Duration.ofSeconds(30));
        assertThat(CaptureServer.textOf(early.get(early.size() - 1))).contains("• Consistency check: staging has "
                + "`my_flag` not set; enable it on staging first");
        assertThat(stack.productionGitLab().feature("my_flag")).isEmpty();

        post("run feature set my_flag 25 --actors --staging", "/e2e/flag-staging", LocalStack.LOCAL_ADMIN);
        assertThat(CaptureServer.textOf(slack.awaitPosts("/e2e/flag-staging", 1, Duration.ofSeconds(30)).get(0)))
                .contains("*staging*", "`my_flag`: not set → *on for 25% of actors*");

        // Production waits for a second person (APPROVALS=production, the template's default): maint approves.
        post("run feature set my_flag 25 --actors", "/e2e/flag-production", LocalStack.LOCAL_ADMIN);
        List<CaptureServer.Post> production = slack.awaitPosts("/e2e/flag-production", 2, Duration.ofSeconds(30));
        assertThat(CaptureServer.textOf(production.get(0))).contains("Production check initiated");
        CaptureServer.Post request = production.get(1);
        assertThat(CaptureServer.textOf(request)).contains("<@U0LOCALADMIN> asks for a second person's approval",
                "*production* (`127.0.0.1`) — `my_flag`: not set → *25% of actors*");
        assertThat(CaptureServer.buttonsOf(request)).extracting(CaptureServer.Button::text)
                .containsExactly("Approve", "Deny");
        assertThat(stack.productionGitLab().feature("my_flag")).isEmpty();
        assertThat(stack.logChannel().postsTo(LocalStack.LOG_WEBHOOK_PATH)).isEmpty();

        byte[] click = SlackRequests.formBody(SlackRequests.interaction(SlackClicks.payload(request, "Approve",
                LocalStack.LOCAL_MAINT, "maint", "C2147483705", slack.url("/e2e/flag-approve"))));
        long now = Instant.now().getEpochSecond();
        assertThat(SlackClicks.post(http, stack, click, now, SlackRequests.sign(SECRET, now, click)).statusCode())
                .isEqualTo(200);
        List<CaptureServer.Post> approved = slack.awaitPosts("/e2e/flag-approve", 2, Duration.ofSeconds(30));
        assertThat(CaptureServer.textOf(approved.get(0))).contains("Production check initiated");
        assertThat(approved.get(1).json()).containsEntry("replace_original", true);
        assertThat(CaptureServer.textOf(approved.get(1))).contains("*production*",
                "not set → *on for 25% of actors*", "announced in the log channel", "logged in <",
                "Approved by <@U0LOCALMAINT> (`maint`) for <@U0LOCALADMIN> (`admin`)");

        post("run feature get my_flag", "/e2e/flag-get", LocalStack.LOCAL_ADMIN);
        assertThat(CaptureServer.textOf(slack.awaitPosts("/e2e/flag-get", 1, Duration.ofSeconds(30)).get(0)))
                .contains("*`my_flag`* on production", "*conditional*", "*Percentage of actors*\n25%");

        List<CaptureServer.Post> announced =
                stack.logChannel().awaitPosts(LocalStack.LOG_WEBHOOK_PATH, 1, Duration.ofSeconds(10));
        assertThat(String.valueOf(announced.get(0).json().get("text")))
                .contains(
                        "@admin (<@U0LOCALADMIN>) set `my_flag` " + "on *production*",
                        "not set → on for 25% of actors", "approved by @maint (Slack `U0LOCALMAINT`)");
        assertThat(stack.opsGitLab().issues(LocalStack.FLAG_LOG_PROJECT)).singleElement()
                .satisfies(issue -> assertThat(issue.state()).isEqualTo("closed"));
    }

    @Test
    void explain_runs_on_the_local_replica_with_progress_first_and_refuses_a_write() throws Exception {
        Assumptions.assumeTrue(stack.replica().isPresent(), "PostgreSQL 15 is not installed");
        post("run explain SELECT * FROM projects WHERE id = 1", "/e2e/explain", LocalStack.LOCAL_ADMIN);
        List<CaptureServer.Post> posts = slack.awaitPosts("/e2e/explain", 2, Duration.ofSeconds(30));
        assertThat(CaptureServer.textOf(posts.get(0))).contains("running EXPLAIN ANALYZE on the production replica");
        assertThat(CaptureServer.textOf(posts.get(1))).contains("*EXPLAIN ANALYZE on the production replica*",
                "Index Scan using projects_pkey on projects");

        post("run explain WITH gone AS (DELETE FROM issues RETURNING 1) SELECT count(*) FROM gone -- tidy up",
                "/e2e/explain-write", LocalStack.LOCAL_ADMIN);
        assertThat(CaptureServer.textOf(slack.awaitPosts("/e2e/explain-write", 1, Duration.ofSeconds(30)).get(0)))
                .contains(":no_entry:", "`DELETE` changes data", "Nothing was sent to the database");
    }

    @Test
    void auto_deploy_status_answers_both_forms_in_one_reply_each() throws Exception {
        post("run auto_deploy status", "/e2e/deploys", LocalStack.LOCAL_ADMIN);
        List<CaptureServer.Post> status = slack.awaitPosts("/e2e/deploys", 1, Duration.ofSeconds(30));
        assertThat(CaptureServer.textOf(status.get(0)))
                .contains("*Deployments of `gitlab-org/gitlab`*", "*gstg-ref*", "*gprd*", "deploying");

        post("run auto_deploy status c3c3222", "/e2e/deploys-sha", LocalStack.LOCAL_ADMIN);
        List<CaptureServer.Post> commit = slack.awaitPosts("/e2e/deploys-sha", 1, Duration.ofSeconds(30));
        assertThat(CaptureServer.textOf(commit.get(0))).contains("Fix the feature — deployed to 3 of 5 environments",
                "*gprd-cny* — being deployed now");
        Thread.sleep(300);
        assertThat(slack.postsTo("/e2e/deploys")).hasSize(1);
        assertThat(slack.postsTo("/e2e/deploys-sha")).hasSize(1);
    }

    private void post(String text, String replyPath, String userId) throws IOException, InterruptedException {
        Map<String, String> form = SlackRequests.slashCommand(text, userId, slack.url(replyPath));
        form.put("team_id", LocalStack.LOCAL_TEAM);
        byte[] body = SlackRequests.formBody(form);
        long now = Instant.now().getEpochSecond();
        HttpResponse<String> ack = http.send(HttpRequest.newBuilder(URI.create(stack.commandsUrl()))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("X-Slack-Request-Timestamp", Long.toString(now))
                .header("X-Slack-Signature", SlackRequests.sign(SECRET, now, body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(ack.statusCode()).isEqualTo(200);
    }

    private HttpResponse<String> post(String text, String replyPath, long timestamp, String secret, boolean tamper)
            throws IOException, InterruptedException {
        return post(text, replyPath, timestamp, secret, tamper, "U0E2E");
    }

    private HttpResponse<String> post(String text, String replyPath, long timestamp, String secret, boolean tamper,
            String userId) throws IOException, InterruptedException {
        Map<String, String> form = SlackRequests.slashCommand(text, userId, slack.url(replyPath));
        byte[] body = SlackRequests.formBody(form);
        String signature = SlackRequests.sign(secret, timestamp, body);
        if (tamper) {
            body[body.length - 1] ^= 1;
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create(stack.commandsUrl()))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("X-Slack-Request-Timestamp", Long.toString(timestamp))
                .header("X-Slack-Signature", signature)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> postForm(String url, byte[] body, long timestamp, String secret)
            throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("X-Slack-Request-Timestamp", Long.toString(timestamp))
                .header("X-Slack-Signature", SlackRequests.sign(secret, timestamp, body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Audit rows of one Slack user: each test that counts them types as a user of its own, so that
     * another test's command still being audited cannot change the count.
     */
    private static int auditCount(String userId) {
        try (DynamoDbClient dynamo = DynamoDbClient.builder().httpClient(UrlConnectionHttpClient.create()).build()) {
            int count = 0;
            Map<String, AttributeValue> start = null;
            do {
                Map<String, AttributeValue> from = start;
                var page = dynamo.scan(b -> {
                    b.tableName(stack.aws().ref("AuditTable")).filterExpression("userId = :u")
                            .expressionAttributeValues(Map.of(":u", AttributeValue.fromS(userId)));
                    if (from != null) {
                        b.exclusiveStartKey(from);
                    }
                });
                count += page.count();
                start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty()
                        ? page.lastEvaluatedKey()
                        : null;
            } while (start != null);
            return count;
        }
    }
}
