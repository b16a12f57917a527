package dev.chatops.shared.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.chatops.shared.CommandRequest;
import dev.chatops.shared.Log;
import dev.chatops.shared.access.AccessStore;
import dev.chatops.shared.access.Link;
import dev.chatops.shared.command.CommandSpec;
import dev.chatops.shared.command.Form;
import dev.chatops.shared.command.Param;
import dev.chatops.shared.command.Role;
import dev.chatops.shared.command.Target;
import dev.chatops.testing.CaptureServer;
import dev.chatops.testing.CaptureServer.Answer;
import dev.chatops.testing.GitLabStandIn;
import dev.chatops.testing.LocalAws;
import dev.chatops.testing.MotoExtension;
import dev.chatops.testing.SecretsNotLogged;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

@ExtendWith({MotoExtension.class, SecretsNotLogged.class})
class CommandRuntimeTest {
    @RegisterExtension
    static final CaptureServer slack = new CaptureServer();
    @RegisterExtension
    static final GitLabStandIn gitlab = new GitLabStandIn();

    private static final CommandSpec BUMP = CommandSpec.of("bump", "Counts its calls.", Target.USER,
            Form.of(Role.ANYONE, "Adds one.", Param.required("name")));
    private static final CommandSpec BOOM = CommandSpec.of("boom", "Always breaks.", Target.USER,
            Form.of(Role.ANYONE, "Throws."));
    private static final CommandSpec GUARDED = CommandSpec.of("guarded", "Needs maintainer.", Target.USER,
            Form.of(Role.MAINTAINER, "Counts its calls, for maintainers."));
    private static final CommandSpec NOPE = CommandSpec.of("nope", "Refuses.", Target.USER,
            Form.of(Role.ANYONE, "Says why nothing was done."));
    private static final CommandSpec LONG = CommandSpec.of("long", "Answers in three messages.", Target.USER,
            Form.of(Role.ANYONE, "120 blocks."));

    private final AtomicInteger effects = new AtomicInteger();
    private RuntimeFixture fixture;
    private AccessStore access;
    private CommandRuntime runtime;
    private LocalAws aws;

    @BeforeEach
    void setUp(LocalAws aws) {
        this.aws = aws;
        fixture = new RuntimeFixture(aws, Clock.systemUTC(), gitlab.baseUrl());
        gitlab.addAdminToken(MotoExtension.GITLAB_TOKEN);
        gitlab.addReadOnlyToken(MotoExtension.GITLAB_READ_TOKEN);
        gitlab.addProject("ops/chatops");
        Command bump = RuntimeFixture.command(BUMP, call -> {
            int n = effects.incrementAndGet();
            return Reply.inChannel("bumped").text("bumped " + call.args().get(0) + " to " + n).build();
        });
        Command boom = RuntimeFixture.command(BOOM, call -> {
            throw new IllegalStateException("database password=hunter2 rejected");
        });
        Command guarded = RuntimeFixture.command(GUARDED, call -> {
            effects.incrementAndGet();
            return Reply.ephemeral("done").build();
        });
        Command longer = RuntimeFixture.command(LONG, call -> {
            effects.incrementAndGet();
            Reply.Builder reply = Reply.ephemeral("long");
            for (int i = 1; i <= 120; i++) {
                reply.text("line " + i);
            }
            return reply.build();
        });
        Command nope = RuntimeFixture.command(NOPE, call -> {
            return Reply.refusal(":warning: not like that");
        });
        access = fixture.services.access();
        runtime = new CommandRuntime(List.of(bump, boom, guarded, longer, nope), fixture.services);
    }

    @Test
    void runs_the_command_and_posts_its_reply_to_the_response_url() {
        CommandRequest request = RuntimeFixture.request("bump", List.of("x"), slack.url("/r/1"));

        runtime.handle(request, Duration.ofSeconds(30));

        List<CaptureServer.Post> posts = slack.postsTo("/r/1");
        assertThat(posts).hasSize(1);
        assertThat(posts.get(0).json()).containsEntry("response_type", "in_channel");
        assertThat(CaptureServer.textOf(posts.get(0))).contains("bumped x to 1");
        assertThat(posts.get(0).headers().get("Content-Type")).startsWith("application/json");
    }

    @Test
    void an_async_retry_of_an_answered_request_does_nothing() {
        CommandRequest request = RuntimeFixture.request("bump", List.of("x"), slack.url("/r/2"));

        runtime.handle(request, Duration.ofSeconds(30));
        runtime.handle(request, Duration.ofSeconds(30));
        runtime.handle(request, Duration.ofSeconds(30));

        assertThat(effects).hasValue(1);
        assertThat(slack.postsTo("/r/2")).hasSize(1);
        assertThat(auditOutcomes(request)).containsExactlyInAnyOrder("ok", "skipped", "skipped");
    }

    @Test
    void a_reply_slack_did_not_take_is_posted_again_by_the_retry_without_acting_again() {
        CommandRequest request = RuntimeFixture.request("bump", List.of("x"), slack.url("/r/3"));
        slack.answerNext(Answer.status(500), Answer.status(500), Answer.status(500), Answer.status(500));

        assertThatThrownBy(() -> runtime.handle(request, Duration.ofSeconds(30))).isInstanceOf(ReplyException.class);
        runtime.handle(request, Duration.ofSeconds(30));

        assertThat(effects).hasValue(1);
        List<CaptureServer.Post> posts = slack.postsTo("/r/3");
        assertThat(posts).hasSize(5);
        assertThat(CaptureServer.textOf(posts.get(4))).contains("bumped x to 1");
    }

    @Test
    void server_errors_and_rate_limits_are_retried_honouring_retry_after() {
        CommandRequest request = RuntimeFixture.request("bump", List.of("x"), slack.url("/r/4"));
        slack.answerNext(Answer.status(503), Answer.tooManyRequests(3));

        runtime.handle(request, Duration.ofSeconds(30));

        assertThat(slack.postsTo("/r/4")).hasSize(3);
        assertThat(fixture.sleeps).containsExactly(Duration.ofMillis(200), Duration.ofSeconds(3));
    }

    @Test
    void a_rejected_reply_is_final_and_not_retried() {
        CommandRequest request = RuntimeFixture.request("bump", List.of("x"), slack.url("/r/5"));
        slack.answerNext(Answer.status(404));

        runtime.handle(request, Duration.ofSeconds(30));

        assertThat(slack.postsTo("/r/5")).hasSize(1);
        assertThat(auditOutcomes(request)).containsExactly("ok, reply failed");
    }

    @Test
    void a_failing_command_gets_a_clear_reply_with_the_request_id_and_no_internals() {
        CommandRequest request = RuntimeFixture.request("boom", List.of(), slack.url("/r/6"));

        runtime.handle(request, Duration.ofSeconds(30));

        String text = CaptureServer.textOf(slack.postsTo("/r/6").get(0));
        assertThat(text).contains("failed", request.requestId()).doesNotContain("hunter2", "IllegalStateException");
        assertThat(auditOutcomes(request)).containsExactly("error");
    }

    @Test
    void a_command_that_refuses_is_audited_as_refused_not_ok() {
        CommandRequest request = RuntimeFixture.request("nope", List.of(), slack.url("/r/nope"));

        runtime.handle(request, Duration.ofSeconds(30));

        assertThat(CaptureServer.textOf(slack.postsTo("/r/nope").get(0))).contains("not like that");
        assertThat(auditOutcomes(request)).containsExactly("refused");
    }

    @Test
    void a_call_that_fits_no_form_gets_the_usage_and_changes_nothing() {
        CommandRequest request = RuntimeFixture.request("bump", List.of("a", "b"), slack.url("/r/7"));

        runtime.handle(request, Duration.ofSeconds(30));

        assertThat(effects).hasValue(0);
        assertThat(CaptureServer.textOf(slack.postsTo("/r/7").get(0))).contains("/chatops run bump <name>");
    }

    @Test
    void a_response_url_off_the_allow_list_is_never_called_and_is_audited() {
        CommandRequest request = RuntimeFixture.request("bump", List.of("x"), "https://evil.example.com/hook");

        runtime.handle(request, Duration.ofSeconds(30));

        assertThat(effects).hasValue(0);
        assertThat(auditOutcomes(request)).containsExactly("refused");
    }

    @Test
    void the_audit_record_redacts_secret_looking_arguments() {
        CommandRequest base = RuntimeFixture.request("bump", List.of("glpat-abcdefghij0123456789"), slack.url("/r/8"));

        runtime.handle(base, Duration.ofSeconds(30));

        List<Map<String, AttributeValue>> records = audit(base);
        assertThat(records).hasSize(1);
        assertThat(records.get(0).get("arguments").s()).doesNotContain("glpat-abcdef").contains("[redacted]");
        assertThat(records.get(0).get("userId").s()).isEqualTo("U1");
        assertThat(records.get(0).get("decision").s()).isEqualTo("allowed");
        assertThat(records.get(0)).containsKey("durationMs");
    }

    @Test
    void a_command_that_needs_a_role_offers_an_unlinked_caller_to_link_and_the_denial_is_audited() {
        CommandRequest base = RuntimeFixture.request("guarded", List.of(), slack.url("/r/9"));
        CommandRequest request = new CommandRequest(base.requestId(), "T1", "", "U1", "alice", "C1", "ops", "/chatops",
                "guarded", List.of(), Map.of(), "", base.responseUrl(), Instant.now(), "https://api.example.com");

        runtime.handle(request, Duration.ofSeconds(30));

        assertThat(effects).hasValue(0);
        CaptureServer.Post reply = slack.postsTo("/r/9").get(0);
        assertThat(CaptureServer.textOf(reply)).contains("not linked", "maintainer", "Connect your GitLab account");
        assertThat(reply.body().replace("\\u003d", "="))
                .contains("\"url\":\"https://api.example.com/link/start?state=");
        assertThat(audit(request)).singleElement().satisfies(r -> {
            assertThat(r.get("decision").s()).isEqualTo("denied");
            assertThat(r.get("outcome").s()).isEqualTo("refused");
        });
    }

    @Test
    void roles_and_two_factor_are_read_from_gitlab_and_decide() {
        link("U-dev", gitlab.addUser("dev", true).id());
        gitlab.addMember("ops/chatops", "dev", 30);
        link("U-no2fa", gitlab.addUser("no2fa", false).id());
        gitlab.addMember("ops/chatops", "no2fa", 40);
        link("U-outsider", gitlab.addUser("outsider", true).id());
        link("U-maint", gitlab.addUser("maint", true).id());
        gitlab.addMember("ops/chatops", "maint", 40);

        assertThat(run("guarded", "U-dev")).contains("You need maintainer on `ops/chatops`; you are developer.");
        assertThat(run("guarded", "U-no2fa")).contains("two-factor authentication");
        assertThat(run("guarded", "U-outsider")).contains("you are not a member");
        assertThat(effects).hasValue(0);
        assertThat(run("guarded", "U-maint")).contains("done");
        assertThat(effects).hasValue(1);
    }

    @Test
    void removing_someone_on_gitlab_revokes_their_rights_once_the_cached_level_is_too_old() {
        long id = gitlab.addUser("leaver", true).id();
        gitlab.addMember("ops/chatops", "leaver", 40);
        access.link(new Link("T1", "U-leaver", "ops", id, "leaver", Instant.now(), Optional.of(40),
                Optional.of(true), Optional.of(Instant.now().minusSeconds(30))));
        gitlab.removeMember("ops/chatops", "leaver");

        assertThat(run("guarded", "U-leaver")).contains("done");
        access.saveSnapshot(access.findLink("T1", "U-leaver").orElseThrow(), 40, true, Instant.now().minusSeconds(301));
        assertThat(run("guarded", "U-leaver")).contains("you are not a member");
        assertThat(effects).hasValue(1);
    }

    @Test
    void a_kept_role_checked_ahead_of_now_is_not_trusted_and_read_from_gitlab_again() {
        long id = gitlab.addUser("forger", true).id();
        // A snapshot dated in the future, as a subverted function could write it, would otherwise never be due.
        access.link(new Link("T1", "U-forger", "ops", id, "forger", Instant.now(), Optional.of(40),
                Optional.of(true), Optional.of(Instant.now().plus(Duration.ofDays(3650)))));

        assertThat(run("guarded", "U-forger")).contains("you are not a member");
        assertThat(effects).hasValue(0);
    }

    @Test
    void when_gitlab_cannot_confirm_a_role_the_command_is_refused_not_run_naming_the_instance_not_its_address() {
        link("U-ghost", 999_999);
        String address = gitlab.baseUrl();
        gitlab.close();
        try {
            assertThat(run("guarded", "U-ghost")).contains("GitLab on ops could not confirm your role", "not reachable")
                    .doesNotContain(address, "127.0.0.1");
        } finally {
            gitlab.listen(0);
            fixture = null;
        }
        assertThat(effects).hasValue(0);
    }

    @Test
    void a_retry_posts_only_the_messages_slack_did_not_get() {
        CommandRequest request = RuntimeFixture.request("long", List.of(), slack.url("/r/10"));
        slack.answerNext(
                Answer.status(200), Answer.status(500), Answer.status(500), Answer.status(500), Answer.status(500));

        assertThatThrownBy(() -> runtime.handle(request, Duration.ofSeconds(30))).isInstanceOf(ReplyException.class);
        runtime.handle(request, Duration.ofSeconds(30));

        assertThat(effects).hasValue(1);
        List<String> delivered = slack.postsTo("/r/10").stream()
                .filter(p -> !p.body().isEmpty()).map(CaptureServer::textOf).toList();
        assertThat(delivered.stream().filter(t -> t.contains("line 1\n") || t.endsWith("line 1"))).hasSize(1);
        assertThat(String.join("\n", delivered)).contains("line 120");
        assertThat(delivered.stream().filter(t -> t.contains("line 51")).count()).isEqualTo(5);
    }

    @Test
    void a_failing_command_leaves_no_secret_in_the_logs() {
        ByteArrayOutputStream logs = new ByteArrayOutputStream();
        Log.redirect(new PrintStream(logs, true, StandardCharsets.UTF_8));
        try {
            runtime.handle(RuntimeFixture.request("boom", List.of(), slack.url("/r/11")), Duration.ofSeconds(30));
        } finally {
            Log.redirect(System.out);
        }

        assertThat(logs.toString(StandardCharsets.UTF_8)).contains("command.failed").doesNotContain("hunter2");
    }

    private void link(String user, long gitlabUserId) {
        access.link(Link.of("T1", user, "ops", gitlabUserId, user.toLowerCase(), Instant.now()));
    }

    private String run(String command, String user) {
        String path = "/r/" + UUID.randomUUID();
        CommandRequest base = RuntimeFixture.request(command, List.of(), slack.url(path));
        CommandRequest request = new CommandRequest(base.requestId(), base.teamId(), "", user, "someone", "C1", "ops",
                "/chatops", command, List.of(), Map.of(), "", base.responseUrl(), Instant.now());
        runtime.handle(request, Duration.ofSeconds(30));
        return CaptureServer.textOf(slack.postsTo(path).get(0));
    }

    private List<String> auditOutcomes(CommandRequest request) {
        return audit(request).stream().map(r -> r.get("outcome").s()).toList();
    }

    private List<Map<String, AttributeValue>> audit(CommandRequest request) {
        return fixture.dynamo.query(b -> b.tableName(aws.ref("AuditTable"))
                .keyConditionExpression("requestId = :id")
                .expressionAttributeValues(Map.of(":id", AttributeValue.fromS(request.requestId())))).items();
    }
}
