package dev.chatops.feature;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatops.shared.ClickRequest;
import dev.chatops.shared.CommandRequest;
import dev.chatops.shared.Env;
import dev.chatops.shared.access.Link;
import dev.chatops.shared.runtime.RequestInProgressException;
import dev.chatops.shared.runtime.ResponseUrlClient;
import dev.chatops.shared.runtime.RuntimeConfig;
import dev.chatops.shared.runtime.Services;
import dev.chatops.testing.CaptureServer;
import dev.chatops.testing.GitLabStandIn;
import dev.chatops.testing.LocalAws;
import dev.chatops.testing.LocalLambdaContext;
import dev.chatops.testing.MotoExtension;
import dev.chatops.testing.SerializedDynamoDb;
import dev.chatops.testing.MutableClock;
import dev.chatops.testing.SecretsNotLogged;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * A production {@code feature set} or {@code delete} waits for a second person (APPROVALS=production,
 * the template's default): the request in the channel with Approve and Deny buttons, a click
 * decided by the clicker's own proof and by one conditional write, the change made as the
 * requester once approved (its checks run again), and {@code --emergency} for owners alone.
 * Through FeatureFunction, on moto, with GitLab stand-ins and a capture server for Slack.
 */
@ExtendWith({MotoExtension.class, SecretsNotLogged.class})
class FeatureApprovalTest {
    @RegisterExtension
    static final GitLabStandIn ops = new GitLabStandIn();
    @RegisterExtension
    static final GitLabStandIn staging = new GitLabStandIn();
    @RegisterExtension
    static final GitLabStandIn production = new GitLabStandIn();
    @RegisterExtension
    static final CaptureServer slack = new CaptureServer();

    private static final String INCIDENTS = "gitlab-com/gl-infra/production";
    private static final String FLAG_LOG = "gitlab-com/gl-infra/feature-flag-log";
    private static final String WEBHOOK = "/services/T0/B0/approval-hook";

    private LocalAws aws;
    private MutableClock clock;
    private FeatureFunction function;
    private Services services;
    private String team;

    @BeforeEach
    void setUp(LocalAws aws) {
        this.aws = aws;
        for (GitLabStandIn gitlab : List.of(ops, staging, production)) {
            gitlab.addAdminToken(MotoExtension.GITLAB_TOKEN);
            gitlab.addReadOnlyToken(MotoExtension.GITLAB_READ_TOKEN);
        }
        ops.addProject("ops/chatops");
        ops.addProject(FLAG_LOG);
        production.addProject(INCIDENTS);
        String webhookSecret = "approval-webhook-" + UUID.randomUUID();
        try (SecretsManagerClient secrets = SecretsManagerClient.builder()
                .httpClient(UrlConnectionHttpClient.create()).build()) {
            secrets.createSecret(b -> b.name(webhookSecret).secretString(slack.url(WEBHOOK)));
        }
        clock = MutableClock.now();
        Map<String, String> env = new LinkedHashMap<>();
        env.put(RuntimeConfig.RESPONSE_URL_ALLOW, "http://127.0.0.1");
        env.put("GITLAB_INSTANCES", "ops=" + ops.baseUrl() + ",staging=" + staging.baseUrl() + ",production="
                + production.baseUrl());
        env.put("CHATOPS_PROJECT", "ops/chatops");
        env.put("FEATURE_INCIDENT_PROJECT", "production:" + INCIDENTS);
        env.put("FEATURE_LOG_PROJECT", "ops:" + FLAG_LOG);
        env.put("FEATURE_LOG_WEBHOOK_SECRET_ID", webhookSecret);
        env.put("GITLAB_TIMEOUT_SECONDS", "2");
        Env functionEnv = Env.of(aws.functionEnvironment("FeatureFunction", env));
        assertThat(functionEnv.optional(RuntimeConfig.APPROVALS, "")).as("the template's default")
                .isEqualTo("production");
        // Requests reach moto one at a time, as DynamoDB orders conditional writes (the concurrency test's clicks).
        services = new Services(functionEnv, SerializedDynamoDb.client(), clock,
                ResponseUrlClient.standard(RuntimeConfig.from(functionEnv).responseUrls()));
        function = new FeatureFunction(services, duration -> { });
        team = "T" + UUID.randomUUID().toString().substring(0, 8);
        person("UBOSS", "boss", 40, true);
        person("UMAINT", "maint", 40, true);
        person("UMAINT2", "maint2", 40, true);
        person("UOWNER", "owner", 50, true);
        person("UDEV", "dev", 30, true);
        // The rollout's own rule: production follows staging.
        assertThat(text(run("UBOSS", "set my_flag true --staging"))).contains("*staging*", "→ *on*");
    }

    /** A GitLab account on ops with {@code level} on the chatops project (0: none), linked to {@code slackUser}. */
    private void person(String slackUser, String username, int level, boolean twoFactor) {
        long id = ops.addUser(username, twoFactor).id();
        if (level > 0) {
            ops.addMember("ops/chatops", username, level);
        }
        services.access().link(Link.of(team, slackUser, "ops", id, username, Instant.now()));
    }

    // ------------------------------------------------------------------ asking

    @Test
    void a_production_change_waits_in_the_channel_with_buttons_and_changes_nothing() {
        Asked asked = ask("UBOSS", "set my_flag true");

        assertThat(asked.post.json()).containsEntry("response_type", "in_channel");
        assertThat(text(asked.post)).contains(
                "<@UBOSS> asks for a second person's approval to run `/chatops run feature set my_flag true`",
                "*production* (`127.0.0.1`) — `my_flag`: not set → *true*",
                "Anyone with maintainer or more on `ops/chatops`, other than <@UBOSS>, may approve until <!date^",
                "(15 minutes)");
        List<CaptureServer.Button> buttons = CaptureServer.buttonsOf(asked.post);
        assertThat(buttons).extracting(CaptureServer.Button::text).containsExactly("Approve", "Deny");
        assertThat(buttons).extracting(CaptureServer.Button::actionId).containsExactly("feature.approve",
                "feature.deny");
        assertThat(buttons).extracting(CaptureServer.Button::style).containsExactly("primary", "danger");
        assertThat(buttons.get(0).value()).isEqualTo(buttons.get(1).value()).matches("ap-[0-9a-f]{32}");
        assertThat(buttons.get(0).confirmText()).contains("Approve this change?",
                "asked by <@UBOSS> and approved by you", "Approve", "Cancel");
        assertThat(buttons.get(1).confirmText()).contains("Deny this change?", "Nothing is changed", "Deny", "Cancel");
        assertThat(production.feature("my_flag")).isEmpty();
        assertThat(production.recorded()).noneMatch(GitLabStandIn.Recorded::write);
        assertThat(webhookTexts()).isEmpty();
        assertThat(audit(asked.requestId)).singleElement()
                .satisfies(r -> assertThat(r.get("outcome").s()).isEqualTo("awaiting approval"));
    }

    @Test
    void every_option_given_is_shown_to_the_approver_and_one_that_skips_a_check_is_flagged() {
        Asked asked = ask("UBOSS", "set my_flag true" + " ".repeat(400) + "--ignore-production-check");

        assertThat(text(asked.post)).contains("Options given: `--ignore-production-check` — :warning: a check "
                + "these skip is skipped when the change is made, too",
                "`/chatops run feature set my_flag true --ignore-production-check`");
    }

    @Test
    void a_change_its_checks_refuse_is_refused_at_once_without_asking_anyone() {
        production.addIssue(INCIDENTS, "Database failover", "severity::1", "incident");

        CaptureServer.Post refused = last(run("UBOSS", "set my_flag true"));

        assertThat(text(refused)).contains("Production check: 1 open incident").doesNotContain("asks for");
        assertThat(CaptureServer.buttonsOf(refused)).isEmpty();
    }

    @Test
    void the_same_request_delivered_twice_asks_once() {
        CommandRequest request = request("UBOSS", "set my_flag true", "/r/" + UUID.randomUUID());
        invoke(request.toJson());
        invoke(request.toJson());

        assertThat(slack.postsTo(path(request))).filteredOn(post -> !CaptureServer.buttonsOf(post).isEmpty())
                .singleElement().satisfies(post -> assertThat(CaptureServer.buttonsOf(post)).hasSize(2));
        assertThat(approvals()).hasSize(1);
    }

    // ------------------------------------------------------------------ deciding

    @Test
    void a_maintainer_approves_and_the_change_is_made_as_the_requester_logged_naming_both() {
        Asked asked = ask("UBOSS", "set my_flag true");

        List<CaptureServer.Post> outcome = click("UMAINT", "maint", asked, "approve");

        CaptureServer.Post replaced = last(outcome);
        assertThat(replaced.json()).containsEntry("replace_original", true).containsEntry("response_type",
                "in_channel");
        assertThat(text(replaced)).contains("<@UBOSS> set `my_flag` to true",
                "*production* (`127.0.0.1`) — `my_flag`: not set → *on*",
                "Approved by <@UMAINT> (`maint`) for <@UBOSS> (`boss`)");
        assertThat(CaptureServer.buttonsOf(replaced)).isEmpty();
        assertThat(production.feature("my_flag").orElseThrow()).containsEntry("state", "on");
        assertThat(webhookTexts()).singleElement().satisfies(t -> assertThat(t).contains("@boss", "set `my_flag`",
                "approved by @maint (Slack `UMAINT`)"));
        assertThat(ops.issues(FLAG_LOG)).singleElement().satisfies(issue -> assertThat(issue.description())
                .contains("| Who | @boss", "| Approval | approved by @maint (Slack 'UMAINT') |"));
        List<Map<String, AttributeValue>> execution = audit(asked.requestId + "/approved");
        assertThat(execution).singleElement().satisfies(r -> {
            assertThat(r.get("userId").s()).isEqualTo("UBOSS");
            assertThat(r.get("decision").s()).isEqualTo("allowed");
            assertThat(r.get("outcome").s()).isEqualTo("ok");
            assertThat(r.get("detail").s()).startsWith("approved by UMAINT (maint); ");
        });
        assertThat(auditOfClicks()).singleElement().satisfies(r -> {
            assertThat(r.get("userId").s()).isEqualTo("UMAINT");
            assertThat(r.get("decision").s()).isEqualTo("approved");
            assertThat(r.get("detail").s()).contains("of " + asked.requestId + " approved");
        });
    }

    @Test
    void the_requester_cannot_approve_their_own_change() {
        Asked asked = ask("UBOSS", "set my_flag true");

        CaptureServer.Post answer = last(click("UBOSS", "boss", asked, "approve"));

        assertThat(answer.json()).containsEntry("response_type", "ephemeral").doesNotContainKey("replace_original");
        assertThat(text(answer)).contains("You asked for this change: a second person decides it.",
                "Nothing was changed.");
        assertThat(production.feature("my_flag")).isEmpty();
        assertThat(approvalStatus(asked)).isEqualTo("pending");
    }

    @Test
    void a_developer_cannot_approve_a_change_that_needs_a_maintainer() {
        Asked asked = ask("UBOSS", "set my_flag true");

        String answer = text(last(click("UDEV", "dev", asked, "approve")));

        assertThat(answer).contains("You need maintainer on `ops/chatops` to decide this change; you are developer.");
        assertThat(production.feature("my_flag")).isEmpty();
        assertThat(approvalStatus(asked)).isEqualTo("pending");
    }

    @Test
    void a_click_from_another_workspace_or_on_an_unknown_request_decides_nothing() {
        Asked asked = ask("UBOSS", "set my_flag true");
        String path = "/c/" + UUID.randomUUID();
        invoke(new ClickRequest("cl-" + UUID.randomUUID(), "TOTHER", "", "UMAINT", "maint", "CPROD", "feature",
                "approve", asked.id, slack.url(path), Instant.now()).toJson());
        invoke(new ClickRequest("cl-" + UUID.randomUUID(), team, "", "UMAINT", "maint", "CPROD", "feature",
                "approve", "ap-00000000000000000000000000000000", slack.url(path), Instant.now()).toJson());

        assertThat(slack.postsTo(path)).extracting(CaptureServer::textOf).containsExactly(
                ":no_entry: This request was made in another Slack workspace. Nothing was changed.",
                ":no_entry: This approval request is unknown: it may have expired a while ago. Nothing was changed.");
        assertThat(approvalStatus(asked)).isEqualTo("pending");
    }

    @Test
    void a_denial_changes_nothing_and_replaces_the_request() {
        Asked asked = ask("UBOSS", "set my_flag true");

        CaptureServer.Post denied = last(click("UMAINT", "maint", asked, "deny"));

        assertThat(denied.json()).containsEntry("replace_original", true);
        assertThat(text(denied)).contains("<@UMAINT> denied <@UBOSS>'s `/chatops run feature set my_flag true`. "
                + "Nothing was changed.");
        assertThat(production.feature("my_flag")).isEmpty();
        assertThat(text(last(click("UMAINT2", "maint2", asked, "approve"))))
                .contains("This request was already denied by <@UMAINT>");
        assertThat(production.feature("my_flag")).isEmpty();
    }

    @Test
    void an_expired_request_changes_nothing() {
        Asked asked = ask("UBOSS", "set my_flag true");
        clock.advance(Duration.ofMinutes(15));

        String answer = text(last(click("UMAINT", "maint", asked, "approve")));

        assertThat(answer).contains("This request expired at <!date^", "<@UBOSS> can ask again.");
        assertThat(production.feature("my_flag")).isEmpty();
        assertThat(approvalStatus(asked)).isEqualTo("pending");
    }

    @Test
    void an_incident_opened_while_it_waited_stops_the_approved_change() {
        Asked asked = ask("UBOSS", "set my_flag true");
        production.addIssue(INCIDENTS, "Database failover", "severity::1", "incident");

        String outcome = text(last(click("UMAINT", "maint", asked, "approve")));

        assertThat(outcome).contains("Production check: 1 open incident", "Approved by <@UMAINT>");
        assertThat(production.feature("my_flag")).isEmpty();
        assertThat(text(last(click("UMAINT2", "maint2", asked, "approve")))).contains("already approved");
    }

    @Test
    void concurrent_approvals_denials_and_duplicate_clicks_decide_once_and_act_at_most_once() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            for (int round = 0; round < 10; round++) {
                String flag = "race_" + round;
                run("UBOSS", "set " + flag + " true --staging");
                Asked asked = ask("UBOSS", "set " + flag + " true");
                String path = "/c/" + UUID.randomUUID();
                String duplicated = "cl-" + UUID.randomUUID();
                List<ClickRequest> clicks = List.of(
                        new ClickRequest(duplicated, team, "", "UMAINT", "maint", "CPROD", "feature", "approve",
                                asked.id, slack.url(path), Instant.now()),
                        new ClickRequest(duplicated, team, "", "UMAINT", "maint", "CPROD", "feature", "approve",
                                asked.id, slack.url(path), Instant.now()),
                        new ClickRequest("cl-" + UUID.randomUUID(), team, "", "UMAINT2", "maint2", "CPROD",
                                "feature", "deny", asked.id, slack.url(path), Instant.now()),
                        new ClickRequest("cl-" + UUID.randomUUID(), team, "", "UOWNER", "owner", "CPROD", "feature",
                                "approve", asked.id, slack.url(path), Instant.now()));
                CountDownLatch start = new CountDownLatch(1);
                List<Future<?>> done = new ArrayList<>();
                for (ClickRequest click : clicks) {
                    done.add(pool.submit(() -> {
                        start.await();
                        try {
                            invoke(click.toJson());
                            return null;
                        } catch (RequestInProgressException e) {
                            // Another delivery of the approved change holds it: Lambda retries this one later.
                            return click;
                        }
                    }));
                }
                start.countDown();
                List<ClickRequest> retried = new ArrayList<>();
                for (Future<?> future : done) {
                    if (future.get(60, TimeUnit.SECONDS) instanceof ClickRequest deferred) {
                        retried.add(deferred);
                    }
                }
                retried.forEach(click -> invoke(click.toJson()));
                String status = approvalStatus(asked);
                long writes = production.recorded().stream()
                        .filter(r -> r.write() && r.path().equals("/api/v4/features/" + flag)).count();
                assertThat(status).as("round %d", round).isIn("approved", "denied");
                assertThat(writes).as("round %d: production writes", round)
                        .isEqualTo(status.equals("approved") ? 1 : 0);
                assertThat(production.feature(flag).isPresent()).isEqualTo(status.equals("approved"));
                List<String> answers = slack.postsTo(path).stream().map(CaptureServer::textOf).toList();
                assertThat(answers.stream().filter(a -> a.contains("already")).count())
                        .as("round %d: clicks told they came too late: %s", round, answers).isGreaterThanOrEqualTo(1);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    // ------------------------------------------------------------------ break glass

    @Test
    void an_owner_skips_the_wait_with_a_reason_announced_and_audited() {
        List<CaptureServer.Post> posts = run("UOWNER", "set my_flag true --emergency=database_on_fire");

        String text = text(last(posts));
        assertThat(text).contains("<@UOWNER> set `my_flag` to true",
                ":rotating_light: *Emergency:* <@UOWNER> skipped the second person's approval: database_on_fire");
        assertThat(last(posts).json()).containsEntry("response_type", "in_channel");
        assertThat(production.feature("my_flag").orElseThrow()).containsEntry("state", "on");
        assertThat(webhookTexts()).singleElement().satisfies(t -> assertThat(t)
                .startsWith(":rotating_light: *EMERGENCY*")
                .contains("EMERGENCY, approval skipped: database_on_fire"));
        assertThat(approvals()).isEmpty();
    }

    @Test
    void only_an_owner_may_skip_the_wait_and_only_where_there_is_one() {
        String maintainer = text(last(run("UBOSS", "set my_flag true --emergency=because")));
        String staged = text(last(run("UOWNER", "set other_flag true --staging --emergency=because")));

        assertThat(maintainer).contains("Only an owner of `ops/chatops` may skip the approval with `--emergency`; "
                + "you are maintainer. Nothing was changed.");
        assertThat(staged).contains("`--emergency` skips a second person's approval, and this change needs none.");
        assertThat(production.feature("my_flag")).isEmpty();
        assertThat(staging.feature("other_flag")).isEmpty();
    }

    // ------------------------------------------------------------------ helpers

    private record Asked(CaptureServer.Post post, String requestId, String id) {
    }

    private Asked ask(String user, String line) {
        CommandRequest request = request(user, line, "/r/" + UUID.randomUUID());
        invoke(request.toJson());
        CaptureServer.Post post = last(slack.postsTo(path(request)));
        List<CaptureServer.Button> buttons = CaptureServer.buttonsOf(post);
        assertThat(buttons).as("the approval request's buttons: %s", CaptureServer.textOf(post)).isNotEmpty();
        return new Asked(post, request.requestId(), buttons.get(0).value());
    }

    private List<CaptureServer.Post> click(String user, String userName, Asked asked, String action) {
        String path = "/c/" + UUID.randomUUID();
        invoke(new ClickRequest("cl-" + UUID.randomUUID(), team, "", user, userName, "CPROD", "feature", action,
                asked.id, slack.url(path), clock.instant()).toJson());
        List<CaptureServer.Post> posts = slack.postsTo(path);
        assertThat(posts).as("answers to the click").isNotEmpty();
        return posts;
    }

    private List<CaptureServer.Post> run(String user, String line) {
        CommandRequest request = request(user, line, "/r/" + UUID.randomUUID());
        invoke(request.toJson());
        List<CaptureServer.Post> posts = slack.postsTo(path(request));
        assertThat(posts).as(line).isNotEmpty();
        return posts;
    }

    private CommandRequest request(String user, String line, String path) {
        List<String> words = Arrays.asList(line.split("\\s+"));
        List<String> args = words.stream().filter(w -> !w.startsWith("--")).toList();
        Map<String, String> options = new LinkedHashMap<>();
        words.stream().filter(w -> w.startsWith("--")).forEach(w -> {
            int eq = w.indexOf('=');
            options.put(eq < 0 ? w.substring(2) : w.substring(2, eq), eq < 0 ? null : w.substring(eq + 1));
        });
        return new CommandRequest(UUID.randomUUID().toString(), team, "", user, user.toLowerCase(), "CPROD",
                "production", "/chatops", "feature", args, options, line, slack.url(path), clock.instant());
    }

    private static String path(CommandRequest request) {
        return request.responseUrl().substring(request.responseUrl().indexOf("/r/"));
    }

    private void invoke(String json) {
        try {
            function.handleRequest(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)),
                    new ByteArrayOutputStream(), new LocalLambdaContext("FeatureFunction", Duration.ofSeconds(60)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static CaptureServer.Post last(List<CaptureServer.Post> posts) {
        return posts.get(posts.size() - 1);
    }

    private static String text(CaptureServer.Post post) {
        return CaptureServer.textOf(post);
    }

    private static String text(List<CaptureServer.Post> posts) {
        return text(last(posts));
    }

    private List<String> webhookTexts() {
        return slack.postsTo(WEBHOOK).stream().map(p -> String.valueOf(p.json().get("text"))).toList();
    }

    private List<Map<String, AttributeValue>> approvals() {
        try (DynamoDbClient dynamo = DynamoDbClient.builder().httpClient(UrlConnectionHttpClient.create()).build()) {
            return dynamo.scan(b -> b.tableName(aws.ref("ApprovalsTable"))).items().stream()
                    .filter(i -> i.get("request").s().contains("\"teamId\":\"" + team + "\"")).toList();
        }
    }

    private String approvalStatus(Asked asked) {
        return approvals().stream().filter(i -> i.get("pk").s().equals("feature#" + asked.id)).findFirst()
                .orElseThrow().get("status").s();
    }

    private List<Map<String, AttributeValue>> audit(String requestId) {
        try (DynamoDbClient dynamo = DynamoDbClient.builder().httpClient(UrlConnectionHttpClient.create()).build()) {
            return dynamo.query(b -> b.tableName(aws.ref("AuditTable")).keyConditionExpression("requestId = :id")
                    .expressionAttributeValues(Map.of(":id", AttributeValue.fromS(requestId)))).items();
        }
    }

    private List<Map<String, AttributeValue>> auditOfClicks() {
        try (DynamoDbClient dynamo = DynamoDbClient.builder().httpClient(UrlConnectionHttpClient.create()).build()) {
            return dynamo.scan(b -> b.tableName(aws.ref("AuditTable"))).items().stream()
                    .filter(i -> i.get("requestId").s().startsWith("cl-") && i.get("teamId").s().equals(team)).toList();
        }
    }
}
