package dev.chatops.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatops.shared.Json;
import dev.chatops.shared.access.AccessStore;
import dev.chatops.shared.access.Link;
import dev.chatops.testing.CaptureServer;
import dev.chatops.testing.GitLabStandIn;
import dev.chatops.testing.SecretsNotLogged;
import dev.chatops.testing.SlackRequests;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveStatus;

/**
 * A production feature change waits for a second person, end to end through the local stack as
 * deployed (APPROVALS=production, the template's default): slash commands and button clicks are
 * signed and POSTed to the stack's HTTP API as Slack sends them (the tests' own signer, not the
 * project's); what comes back is read as Slack shows it, every text and every button. The admin
 * ({@code U0LOCALADMIN}, owner) asks; {@code maint} ({@code U0LOCALMAINT}, maintainer) decides;
 * {@code newbie} ({@code U0LOCALNEW}) is linked but no member. A second maintainer, {@code relief},
 * is added here for the races.
 */
@ExtendWith(SecretsNotLogged.class)
class ApprovalsEndToEndTest {
    private static final String SECRET = "approvals-e2e-signing-secret";
    private static final String CHANNEL = "C0APPROVALS";
    private static final String RELIEF = "U0RELIEF";
    private static final Pattern REQUEST_ID = Pattern.compile("Request `(sl-[0-9a-f]+)`");
    private static final Duration REPLY = Duration.ofSeconds(30);

    @RegisterExtension
    static final CaptureServer slack = new CaptureServer();

    private static LocalStack stack;
    private static DynamoDbClient dynamo;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void startStack() {
        stack = LocalStack.start(LocalStack.Options.defaults().withSigningSecret(SECRET)
                .withRetryDelays(List.of(Duration.ofMillis(200), Duration.ofMillis(400))));
        dynamo = DynamoDbClient.builder().httpClient(UrlConnectionHttpClient.create()).build();
        long relief = stack.opsGitLab().addUser("relief", true).id();
        stack.opsGitLab().addMember(LocalStack.CHATOPS_PROJECT, "relief", 40);
        new AccessStore(dynamo, stack.aws().ref("AccessTable"))
                .link(Link.of(LocalStack.LOCAL_TEAM, RELIEF, "ops", relief, "relief", Instant.now()));
    }

    @AfterAll
    static void stopStack() {
        if (dynamo != null) {
            dynamo.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    // ------------------------------------------------------------------ the stack as deployed

    @Test
    void the_stack_runs_with_the_templates_approvals_its_approvals_table_and_the_seeded_people() throws Exception {
        Map<String, String> env = stack.functions().function("FeatureFunction").environment();
        assertThat(env).containsEntry("APPROVALS", "production").containsEntry("APPROVAL_TTL_MINUTES", "15")
                .containsEntry("APPROVALS_TABLE", stack.aws().ref("ApprovalsTable"));
        String table = stack.aws().ref("ApprovalsTable");
        assertThat(dynamo.describeTable(b -> b.tableName(table)).table().keySchema())
                .singleElement().satisfies(key -> {
                    assertThat(key.attributeName()).isEqualTo("pk");
                    assertThat(key.keyType()).isEqualTo(KeyType.HASH);
                });
        assertThat(dynamo.describeTimeToLive(b -> b.tableName(table)).timeToLiveDescription())
                .satisfies(ttl -> {
                    assertThat(ttl.attributeName()).isEqualTo("ttl");
                    assertThat(ttl.timeToLiveStatus()).isEqualTo(TimeToLiveStatus.ENABLED);
                });

        GitLabStandIn ops = stack.opsGitLab();
        assertThat(ops.accessLevel(LocalStack.CHATOPS_PROJECT, "admin")).contains(50);
        assertThat(ops.accessLevel(LocalStack.CHATOPS_PROJECT, "maint")).contains(40);
        assertThat(ops.accessLevel(LocalStack.CHATOPS_PROJECT, "newbie")).isEmpty();
        assertThat(ops.user("maint").orElseThrow().twoFactorEnabled()).isTrue();
        assertThat(ops.user("newbie").orElseThrow().twoFactorEnabled()).isTrue();
        assertThat(stack.productionGitLab().user("maint")).isPresent();
        assertThat(stack.productionGitLab().user("newbie")).isPresent();
        AccessStore access = new AccessStore(dynamo, stack.aws().ref("AccessTable"));
        assertThat(access.findLink(LocalStack.LOCAL_TEAM, LocalStack.LOCAL_MAINT).orElseThrow().gitlabUsername())
                .isEqualTo("maint");
        assertThat(access.findLink(LocalStack.LOCAL_TEAM, LocalStack.LOCAL_NEWBIE).orElseThrow().gitlabUsername())
                .isEqualTo("newbie");

        String maints = "/members/" + UUID.randomUUID();
        command("run member list ops/chatops --ops", LocalStack.LOCAL_MAINT, maints);
        assertThat(CaptureServer.textOf(slack.awaitPosts(maints, 1, REPLY).get(0)))
                .contains("owner        admin", "maintainer   maint").doesNotContain("newbie", ":no_entry:");
        String newbies = "/members/" + UUID.randomUUID();
        command("run member list ops/chatops --ops", LocalStack.LOCAL_NEWBIE, newbies);
        assertThat(CaptureServer.textOf(slack.awaitPosts(newbies, 1, REPLY).get(0)))
                .contains(":no_entry:", "you are not a member");
    }

    // ------------------------------------------------------------------ asking

    @Test
    void a_production_flag_change_by_the_admin_waits_in_the_channel_and_changes_nothing() throws Exception {
        int logPostsBefore = logPosts().size();

        Asked asked = ask("waits_flag");

        assertThat(asked.message.json()).containsEntry("response_type", "in_channel");
        assertThat(CaptureServer.textOf(asked.message)).contains(
                "<@U0LOCALADMIN> asks for a second person's approval to run "
                        + "`/chatops run feature set waits_flag true`",
                "*production* (`127.0.0.1`) — `waits_flag`: not set → *true*",
                "Anyone with maintainer or more on `ops/chatops`, other than <@U0LOCALADMIN>, may approve until "
                        + "<!date^",
                "(15 minutes)", "Request `" + asked.requestId + "`");
        List<CaptureServer.Button> buttons = CaptureServer.buttonsOf(asked.message);
        assertThat(buttons).extracting(CaptureServer.Button::text).containsExactly("Approve", "Deny");
        assertThat(buttons).extracting(CaptureServer.Button::actionId)
                .containsExactly("feature.approve", "feature.deny");
        assertThat(buttons).extracting(CaptureServer.Button::style).containsExactly("primary", "danger");
        assertThat(buttons).extracting(CaptureServer.Button::url).containsOnlyNulls();
        assertThat(buttons.get(0).value()).isEqualTo(buttons.get(1).value()).isEqualTo(asked.approvalId)
                .matches("ap-[0-9a-f]{32}");
        assertThat(buttons.get(0).confirmText()).contains("Approve this change?",
                "asked by <@U0LOCALADMIN> and approved by you",
                "`/chatops run feature set waits_flag true`", "Approve", "Cancel");
        assertThat(buttons.get(1).confirmText()).contains("Deny this change?", "Nothing is changed", "Deny",
                "Cancel");
        assertThat(stack.productionGitLab().feature("waits_flag")).isEmpty();
        assertThat(productionWrites("waits_flag")).isZero();
        assertThat(status(asked)).isEqualTo("pending");
        assertThat(audit(asked.requestId)).singleElement().satisfies(r -> {
            assertThat(r.get("userId").s()).isEqualTo(LocalStack.LOCAL_ADMIN);
            assertThat(r.get("outcome").s()).isEqualTo("awaiting approval");
        });
        Thread.sleep(500);
        assertThat(logPosts()).hasSize(logPostsBefore);
        assertThat(logIssues("waits_flag")).isEmpty();
    }

    // ------------------------------------------------------------------ deciding

    @Test
    void the_admin_cannot_approve_their_own_change_nor_newbie_who_is_no_member() throws Exception {
        Asked asked = ask("self_flag");

        CaptureServer.Post own = last(click(asked, "Approve", LocalStack.LOCAL_ADMIN, "admin"));
        CaptureServer.Post newbies = last(click(asked, "Approve", LocalStack.LOCAL_NEWBIE, "newbie"));

        assertThat(own.json()).containsEntry("response_type", "ephemeral").doesNotContainKey("replace_original");
        assertThat(CaptureServer.textOf(own)).isEqualTo(
                ":no_entry: You asked for this change: a second person decides it. Nothing was changed.");
        assertThat(CaptureServer.buttonsOf(own)).isEmpty();
        assertThat(newbies.json()).containsEntry("response_type", "ephemeral").doesNotContainKey("replace_original");
        assertThat(CaptureServer.textOf(newbies)).contains(":no_entry:", "You need maintainer on `ops/chatops` to "
                + "decide this change; you are not a member", "Nothing was changed.");
        assertThat(stack.productionGitLab().feature("self_flag")).isEmpty();
        assertThat(productionWrites("self_flag")).isZero();
        assertThat(status(asked)).isEqualTo("pending");
        assertThat(audit(asked.requestId + "/approved")).isEmpty();
        assertThat(clicksAudited(asked)).hasSize(2).allSatisfy(r -> {
            assertThat(r.get("decision").s()).isEqualTo("denied");
            assertThat(r.get("outcome").s()).isEqualTo("refused");
        });
    }

    @Test
    void maints_approval_applies_it_replaces_the_message_and_writes_one_audit_chain_and_one_log_entry()
            throws Exception {
        Asked asked = ask("approved_flag");

        List<CaptureServer.Post> outcome = click(asked, "Approve", LocalStack.LOCAL_MAINT, "maint");

        // The approver is told the checks run again, then the outcome takes the request's place.
        assertThat(outcome).hasSize(2);
        assertThat(outcome.get(0).json()).containsEntry("response_type", "ephemeral")
                .doesNotContainKey("replace_original");
        assertThat(CaptureServer.textOf(outcome.get(0))).isEqualTo(":hourglass_flowing_sand: Production check "
                + "initiated for `approved_flag` on production: looking for open incidents…");
        CaptureServer.Post replaced = outcome.get(1);
        assertThat(replaced.json()).containsEntry("replace_original", true).containsEntry("response_type",
                "in_channel");
        assertThat(CaptureServer.textOf(replaced)).contains("<@U0LOCALADMIN> set `approved_flag` to true",
                "*production* (`127.0.0.1`) — `approved_flag`: not set → *on*",
                ":white_check_mark: Approved by <@U0LOCALMAINT> (`maint`) for <@U0LOCALADMIN> (`admin`). Request `"
                        + asked.requestId + "`.")
                .doesNotContain("asks for a second person's approval");
        assertThat(CaptureServer.buttonsOf(replaced)).isEmpty();
        assertThat(stack.productionGitLab().feature("approved_flag").orElseThrow()).containsEntry("state", "on");
        assertThat(productionWrites("approved_flag")).isEqualTo(1);

        String get = "/get/" + UUID.randomUUID();
        command("run feature get approved_flag", LocalStack.LOCAL_ADMIN, get);
        assertThat(CaptureServer.textOf(slack.awaitPosts(get, 1, REPLY).get(0)))
                .contains("*`approved_flag`* on production", "*on*");

        // One audit chain: the request (asked), the click (approved), the change under <request id>/approved.
        assertThat(audit(asked.requestId)).singleElement().satisfies(r -> {
            assertThat(r.get("userId").s()).isEqualTo(LocalStack.LOCAL_ADMIN);
            assertThat(r.get("outcome").s()).isEqualTo("awaiting approval");
        });
        assertThat(clicksAudited(asked)).singleElement().satisfies(r -> {
            assertThat(r.get("userId").s()).isEqualTo(LocalStack.LOCAL_MAINT);
            assertThat(r.get("decision").s()).isEqualTo("approved");
            assertThat(r.get("detail").s()).contains("of " + asked.requestId + " approved");
        });
        assertThat(audit(asked.requestId + "/approved")).singleElement().satisfies(r -> {
            assertThat(r.get("userId").s()).isEqualTo(LocalStack.LOCAL_ADMIN);
            assertThat(r.get("decision").s()).isEqualTo("allowed");
            assertThat(r.get("outcome").s()).isEqualTo("ok");
            assertThat(r.get("detail").s()).startsWith("approved by U0LOCALMAINT (maint); ");
        });
        // One log entry: the log channel's post and the log issue, each naming requester and approver.
        assertThat(stack.logChannel().awaitPosts(LocalStack.LOG_WEBHOOK_PATH, 1, Duration.ofSeconds(10))).isNotEmpty();
        assertThat(logPosts()).filteredOn(t -> t.contains("approved_flag")).singleElement()
                .satisfies(t -> assertThat(t).contains("@admin (<@U0LOCALADMIN>) set `approved_flag` on *production*",
                        "approved by @maint (Slack `U0LOCALMAINT`)"));
        assertThat(logIssues("approved_flag")).singleElement().satisfies(issue -> {
            assertThat(issue.state()).isEqualTo("closed");
            assertThat(issue.description()).contains("| Who | @admin",
                    "| Approval | approved by @maint (Slack 'U0LOCALMAINT') |");
        });
    }

    @Test
    void a_denial_changes_nothing_and_a_later_approval_is_told_it_was_denied() throws Exception {
        Asked asked = ask("denied_flag");

        CaptureServer.Post denied = last(click(asked, "Deny", LocalStack.LOCAL_MAINT, "maint"));
        CaptureServer.Post late = last(click(asked, "Approve", RELIEF, "relief"));

        assertThat(denied.json()).containsEntry("replace_original", true).containsEntry("response_type",
                "in_channel");
        assertThat(CaptureServer.textOf(denied)).contains(":no_entry_sign: <@U0LOCALMAINT> denied <@U0LOCALADMIN>'s "
                + "`/chatops run feature set denied_flag true`. Nothing was changed.");
        assertThat(CaptureServer.buttonsOf(denied)).isEmpty();
        assertThat(late.json()).containsEntry("response_type", "ephemeral");
        assertThat(CaptureServer.textOf(late)).contains("This request was already denied by <@U0LOCALMAINT>",
                "Nothing was changed.");
        assertThat(stack.productionGitLab().feature("denied_flag")).isEmpty();
        assertThat(productionWrites("denied_flag")).isZero();
        assertThat(status(asked)).isEqualTo("denied");
        assertThat(audit(asked.requestId + "/approved")).isEmpty();
        assertThat(logPosts()).noneMatch(t -> t.contains("denied_flag"));
    }

    /**
     * The functions run on the system clock, so the request is made old instead: its stored
     * {@code createdAt} and {@code expiresAt} moved 16 minutes back, which is all an approval's
     * expiry is read from (the click's check and the conditional write both compare them with now).
     */
    @Test
    void an_expired_request_changes_nothing() throws Exception {
        Asked asked = ask("expired_flag");
        Instant created = Instant.now().minus(Duration.ofMinutes(16));
        dynamo.updateItem(b -> b.tableName(stack.aws().ref("ApprovalsTable"))
                .key(Map.of("pk", AttributeValue.fromS("feature#" + asked.approvalId)))
                .updateExpression("SET createdAt = :created, expiresAt = :expires")
                .expressionAttributeValues(Map.of(":created", AttributeValue.fromS(created.toString()),
                        ":expires", AttributeValue.fromN(Long.toString(
                                created.plus(Duration.ofMinutes(15)).getEpochSecond())))));

        CaptureServer.Post answer = last(click(asked, "Approve", LocalStack.LOCAL_MAINT, "maint"));

        assertThat(answer.json()).containsEntry("response_type", "ephemeral");
        assertThat(CaptureServer.textOf(answer)).contains("This request expired at <!date^",
                "<@U0LOCALADMIN> can ask again.", "Nothing was changed.");
        assertThat(stack.productionGitLab().feature("expired_flag")).isEmpty();
        assertThat(productionWrites("expired_flag")).isZero();
        assertThat(status(asked)).isEqualTo("pending");
        assertThat(audit(asked.requestId + "/approved")).isEmpty();
    }

    // ------------------------------------------------------------------ hostile clicks

    @Test
    void forged_stale_or_future_clicks_get_401_and_decide_nothing_a_replayed_one_decides_nothing_new()
            throws Exception {
        Asked asked = ask("forged_flag");
        String path = "/actions/" + UUID.randomUUID();
        byte[] body = SlackRequests.formBody(SlackRequests.interaction(
                payload(asked, "Approve", LocalStack.LOCAL_MAINT, "maint", slack.url(path))));
        long now = Instant.now().getEpochSecond();
        byte[] tampered = SlackRequests.formBody(SlackRequests.interaction(
                payload(asked, "Approve", LocalStack.LOCAL_MAINT, "maint", slack.url(path))));
        String tamperedSignature = SlackRequests.sign(SECRET, now, tampered);
        tampered = new String(tampered, StandardCharsets.UTF_8)
                .replace(LocalStack.LOCAL_MAINT, LocalStack.LOCAL_NEWBIE)
                .getBytes(StandardCharsets.UTF_8);

        assertThat(postInteraction(body, now, SlackRequests.sign("another-secret", now, body)).statusCode())
                .isEqualTo(401);
        assertThat(postInteraction(tampered, now, tamperedSignature).statusCode()).isEqualTo(401);
        assertThat(postInteraction(body, now, "").statusCode()).isEqualTo(401);
        assertThat(postInteraction(body, now - 301, SlackRequests.sign(SECRET, now - 301, body)).statusCode())
                .isEqualTo(401);
        // 302 is at least 301 when the gateway reads its clock, even if a second ticks over in between.
        assertThat(postInteraction(body, now + 302, SlackRequests.sign(SECRET, now + 302, body)).statusCode())
                .isEqualTo(401);

        assertThat(slack.awaitPosts(path, 1, Duration.ofSeconds(3))).isEmpty();
        assertThat(status(asked)).isEqualTo("pending");
        assertThat(clicksAudited(asked)).isEmpty();
        assertThat(stack.productionGitLab().feature("forged_flag")).isEmpty();

        // Slack's own retry of a click looks exactly like a replay within the window: acknowledged, and
        // it is the same click (its id comes from the signature), so it decides nothing a second time.
        String signature = SlackRequests.sign(SECRET, now, body);
        HttpResponse<String> first = postInteraction(body, now, signature);
        assertThat(first.statusCode()).isEqualTo(200);
        awaitPost(path, p -> CaptureServer.textOf(p).contains("Approved by <@U0LOCALMAINT>"));
        HttpResponse<String> replayed = postInteraction(body, now, signature);
        assertThat(replayed.statusCode()).isEqualTo(200);
        assertThat(replayed.body()).isEmpty();
        Thread.sleep(3000);
        assertThat(status(asked)).isEqualTo("approved");
        assertThat(productionWrites("forged_flag")).isEqualTo(1);
        assertThat(slack.postsTo(path)).extracting(CaptureServer::textOf)
                .allSatisfy(text -> assertThat(text).doesNotContain("already", "denied"))
                .anySatisfy(text -> assertThat(text).contains("Approved by <@U0LOCALMAINT>"));
        assertThat(logPosts()).filteredOn(t -> t.contains("forged_flag")).hasSize(1);
        assertThat(logIssues("forged_flag")).hasSize(1);
    }

    // ------------------------------------------------------------------ races

    /**
     * 100 rounds: a production change asked for, then at once maint's Approve, Slack's duplicate
     * delivery of that very click, relief's Deny and relief's Approve — four signed POSTs to the
     * interactivity URL from a pool of 4. Each round decides once (the stored decision is one of
     * them and never changes), tells at least one click it came too late, and writes the flag on
     * the production stand-in once if approved and never if denied — counted again at the end, after
     * any retried delivery had its chance to act twice.
     */
    @Test
    void concurrent_approve_deny_and_duplicate_clicks_decide_once_and_act_at_most_once_in_100_rounds()
            throws Exception {
        int rounds = 100;
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Asked> asked = new ArrayList<>();
        List<String> decided = new ArrayList<>();
        long started = System.nanoTime();
        try {
            for (int round = 0; round < rounds; round++) {
                long roundStarted = System.nanoTime();
                Asked request = ask("race_" + round);
                asked.add(request);
                long now = Instant.now().getEpochSecond();
                String approvePath = "/actions/" + UUID.randomUUID();
                String denyPath = "/actions/" + UUID.randomUUID();
                String reliefApprovePath = "/actions/" + UUID.randomUUID();
                byte[] approve = SlackRequests.formBody(SlackRequests.interaction(
                        payload(request, "Approve", LocalStack.LOCAL_MAINT, "maint", slack.url(approvePath))));
                byte[] deny = SlackRequests.formBody(SlackRequests.interaction(
                        payload(request, "Deny", RELIEF, "relief", slack.url(denyPath))));
                byte[] reliefApprove = SlackRequests.formBody(SlackRequests.interaction(
                        payload(request, "Approve", RELIEF, "relief", slack.url(reliefApprovePath))));
                String approveSignature = SlackRequests.sign(SECRET, now, approve);
                List<Callable<Integer>> clicks = List.of(
                        () -> postInteraction(approve, now, approveSignature).statusCode(),
                        () -> postInteraction(approve, now, approveSignature).statusCode(),
                        () -> postInteraction(deny, now, SlackRequests.sign(SECRET, now, deny)).statusCode(),
                        () -> postInteraction(reliefApprove, now, SlackRequests.sign(SECRET, now, reliefApprove))
                                .statusCode());
                CountDownLatch go = new CountDownLatch(1);
                List<Future<Integer>> acks = new ArrayList<>();
                for (Callable<Integer> click : clicks) {
                    acks.add(pool.submit(() -> {
                        go.await();
                        return click.call();
                    }));
                }
                go.countDown();
                for (Future<Integer> ack : acks) {
                    assertThat(ack.get(30, TimeUnit.SECONDS)).as("round %d: ack", round).isEqualTo(200);
                }
                // Every click answered: the winner's with the outcome in place of the request, the others
                // with why they decided nothing.
                Duration left = Duration.ofSeconds(60);
                for (String path : List.of(approvePath, denyPath, reliefApprovePath)) {
                    assertThat(slack.awaitPosts(path, 1, left)).as("round %d: answers to %s", round, path)
                            .isNotEmpty();
                }
                String status = status(request);
                decided.add(status);
                assertThat(status).as("round %d", round).isIn("approved", "denied");
                Map<String, AttributeValue> item = approval(request);
                String by = item.get("decidedBy").s();
                String winnerPath = status.equals("denied") ? denyPath
                        : by.equals(LocalStack.LOCAL_MAINT) ? approvePath : reliefApprovePath;
                assertThat(by).as("round %d: decided by", round).isIn(LocalStack.LOCAL_MAINT, RELIEF);
                if (status.equals("denied")) {
                    assertThat(by).as("round %d: only relief denies", round).isEqualTo(RELIEF);
                }
                String outcome = status.equals("approved") ? "Approved by <@" + by + ">" : "denied <@U0LOCALADMIN>";
                awaitPost(winnerPath, p -> CaptureServer.textOf(p).contains(outcome)
                        && Boolean.TRUE.equals(p.json().get("replace_original")));
                List<String> answers = new ArrayList<>();
                for (String path : List.of(approvePath, denyPath, reliefApprovePath)) {
                    slack.postsTo(path).forEach(p -> answers.add(CaptureServer.textOf(p)));
                }
                assertThat(answers.stream().filter(a -> a.contains("This request was already")).count())
                        .as("round %d: clicks told they came too late: %s", round, answers)
                        .isGreaterThanOrEqualTo(1);
                // Decided once as Slack shows it: no message ever took the request's place with the other outcome.
                String otherOutcome = status.equals("approved") ? "denied <@U0LOCALADMIN>" : "Approved by";
                assertThat(answers).as("round %d", round).noneMatch(a -> a.contains(otherOutcome));
                assertThat(productionWrites(request.flag)).as("round %d: production writes", round)
                        .isEqualTo(status.equals("approved") ? 1 : 0);
                if (status.equals("denied")) {
                    assertThat(auditNow(request.requestId + "/approved")).as("round %d: nothing ran", round).isEmpty();
                }
                assertThat(Duration.ofNanos(System.nanoTime() - roundStarted)).as("round %d took", round)
                        .isLessThan(Duration.ofSeconds(60));
            }
        } finally {
            pool.shutdownNow();
        }
        long roundsMillis = (System.nanoTime() - started) / 1_000_000;
        // Late deliveries (a duplicate retried after its twin held the change) have had their time.
        Thread.sleep(3000);
        for (int round = 0; round < rounds; round++) {
            Asked request = asked.get(round);
            assertThat(status(request)).as("round %d: decided once", round).isEqualTo(decided.get(round));
            assertThat(productionWrites(request.flag)).as("round %d: production writes at the end", round)
                    .isEqualTo(decided.get(round).equals("approved") ? 1 : 0);
            assertThat(stack.productionGitLab().feature(request.flag).isPresent()).as("round %d", round)
                    .isEqualTo(decided.get(round).equals("approved"));
            // A duplicate delivery of the approving click is audited too, as a duplicate or a replay; one acted.
            assertThat(auditNow(request.requestId + "/approved")).as("round %d: the change ran", round)
                    .filteredOn(r -> r.get("decision").s().equals("allowed"))
                    .hasSize(decided.get(round).equals("approved") ? 1 : 0);
        }
        long approved = decided.stream().filter("approved"::equals).count();
        System.out.println("approvals e2e: " + rounds + " rounds in " + roundsMillis + " ms ("
                + roundsMillis / rounds + " ms a round); " + approved + " approved, " + (rounds - approved)
                + " denied");
        assertThat(Duration.ofMillis(roundsMillis)).isLessThan(Duration.ofMinutes(3));
    }

    // ------------------------------------------------------------------ helpers

    /** A request waiting for approval: its flag, the message with the buttons, its request and approval ids. */
    private record Asked(String flag, CaptureServer.Post message, String requestId, String approvalId) {
    }

    /**
     * The admin asks for {@code flag} to be true on production, once it is on staging (set on the
     * staging stand-in: the rollout's own rule is {@link LocalStackEndToEndTest}'s), and the
     * approval request comes back in the channel.
     */
    private Asked ask(String flag) throws IOException, InterruptedException {
        stack.stagingGitLab().setFeature(flag, "true");
        String path = "/commands/" + UUID.randomUUID();
        command("run feature set " + flag + " true", LocalStack.LOCAL_ADMIN, path);
        CaptureServer.Post message = awaitPost(path, p -> !CaptureServer.buttonsOf(p).isEmpty());
        Matcher requestId = REQUEST_ID.matcher(CaptureServer.textOf(message));
        assertThat(requestId.find()).as("the request id in %s", CaptureServer.textOf(message)).isTrue();
        return new Asked(flag, message, requestId.group(1), CaptureServer.buttonsOf(message).get(0).value());
    }

    /** {@code user} clicks {@code button} of the request; the posts to the click's response_url. */
    private List<CaptureServer.Post> click(Asked asked, String button, String user, String userName)
            throws IOException, InterruptedException {
        String path = "/actions/" + UUID.randomUUID();
        byte[] body = SlackRequests.formBody(SlackRequests.interaction(
                payload(asked, button, user, userName, slack.url(path))));
        long now = Instant.now().getEpochSecond();
        HttpResponse<String> ack = postInteraction(body, now, SlackRequests.sign(SECRET, now, body));
        assertThat(ack.statusCode()).isEqualTo(200);
        assertThat(ack.body()).isEmpty();
        List<CaptureServer.Post> posts = slack.awaitPosts(path, 1, REPLY);
        assertThat(posts).as("answers to %s's click on %s", user, button).isNotEmpty();
        // Progress and outcome may come as two posts: wait until a second one would have come.
        return slack.awaitPosts(path, posts.size() + 1, Duration.ofMillis(1500));
    }

    /** The payload of {@code user}'s click on the button {@code text} of the request's message. */
    private static Map<String, Object> payload(Asked asked, String text, String user, String userName,
                                               String responseUrl) {
        return SlackClicks.payload(asked.message, text, user, userName, CHANNEL, responseUrl);
    }

    private HttpResponse<String> postInteraction(byte[] body, long timestamp, String signature)
            throws IOException, InterruptedException {
        return SlackClicks.post(http, stack, body, timestamp, signature);
    }

    private void command(String text, String userId, String replyPath) throws IOException, InterruptedException {
        Map<String, String> form = SlackRequests.slashCommand(text, userId, slack.url(replyPath));
        form.put("team_id", LocalStack.LOCAL_TEAM);
        form.put("channel_id", CHANNEL);
        byte[] body = SlackRequests.formBody(form);
        long now = Instant.now().getEpochSecond();
        HttpResponse<String> ack = http.send(HttpRequest.newBuilder(URI.create(stack.commandsUrl()))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("X-Slack-Request-Timestamp", Long.toString(now))
                .header("X-Slack-Signature", SlackRequests.sign(SECRET, now, body))
                .timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(ack.statusCode()).isEqualTo(200);
        assertThat(String.valueOf(Json.readObject(ack.body()).get("text"))).startsWith(":hourglass");
    }

    /** The first post to {@code path} that {@code wanted}, waiting up to 30 s for it. */
    private static CaptureServer.Post awaitPost(String path, Predicate<CaptureServer.Post> wanted) {
        long until = System.nanoTime() + REPLY.toNanos();
        int seen = 0;
        while (true) {
            List<CaptureServer.Post> posts = slack.postsTo(path);
            for (; seen < posts.size(); seen++) {
                if (wanted.test(posts.get(seen))) {
                    return posts.get(seen);
                }
            }
            long left = until - System.nanoTime();
            assertThat(left).as("a wanted post to %s among %s", path,
                    posts.stream().map(CaptureServer::textOf).toList()).isPositive();
            slack.awaitPosts(path, seen + 1, Duration.ofNanos(left));
        }
    }

    private static CaptureServer.Post last(List<CaptureServer.Post> posts) {
        return posts.get(posts.size() - 1);
    }

    private static Map<String, AttributeValue> approval(Asked asked) {
        return dynamo.getItem(b -> b.tableName(stack.aws().ref("ApprovalsTable"))
                .key(Map.of("pk", AttributeValue.fromS("feature#" + asked.approvalId))).consistentRead(true)).item();
    }

    private static String status(Asked asked) {
        return approval(asked).get("status").s();
    }

    /** Writes of {@code flag} on the production stand-in: Features API POSTs and DELETEs. */
    private static long productionWrites(String flag) {
        return stack.productionGitLab().recorded().stream()
                .filter(r -> r.write() && r.path().equals("/api/v4/features/" + flag)).count();
    }

    /**
     * The audit records of {@code requestId}, once each is finished: a function writes its outcome
     * after it answered, so a test that has the answer may read the record a moment too early.
     */
    private static List<Map<String, AttributeValue>> audit(String requestId) throws InterruptedException {
        return settled(() -> auditNow(requestId));
    }

    private static List<Map<String, AttributeValue>> auditNow(String requestId) {
        return dynamo.query(b -> b.tableName(stack.aws().ref("AuditTable")).keyConditionExpression("requestId = :id")
                .expressionAttributeValues(Map.of(":id", AttributeValue.fromS(requestId)))).items();
    }

    /** The audit records of clicks on the request's buttons (their arguments: the action and the approval id). */
    private static List<Map<String, AttributeValue>> clicksAudited(Asked asked) throws InterruptedException {
        return settled(() -> clicksAuditedNow(asked));
    }

    private static List<Map<String, AttributeValue>> clicksAuditedNow(Asked asked) {
        return dynamo.scan(b -> b.tableName(stack.aws().ref("AuditTable"))).items().stream()
                .filter(r -> r.get("requestId").s().startsWith("sc-")
                        && r.get("arguments").s().contains(asked.approvalId))
                .toList();
    }

    /** {@code records} once none of them is still {@code started}, waiting up to 10 s. */
    private static List<Map<String, AttributeValue>> settled(Supplier<List<Map<String, AttributeValue>>> records)
            throws InterruptedException {
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        List<Map<String, AttributeValue>> now = records.get();
        while (now.stream().anyMatch(r -> r.get("outcome").s().equals("started")) && System.nanoTime() < until) {
            Thread.sleep(100);
            now = records.get();
        }
        return now;
    }

    private static List<String> logPosts() {
        return stack.logChannel().postsTo(LocalStack.LOG_WEBHOOK_PATH).stream()
                .map(p -> String.valueOf(p.json().get("text"))).toList();
    }

    private static List<GitLabStandIn.Issue> logIssues(String flag) {
        return stack.opsGitLab().issues(LocalStack.FLAG_LOG_PROJECT).stream()
                .filter(issue -> issue.title().contains(flag)).toList();
    }
}
