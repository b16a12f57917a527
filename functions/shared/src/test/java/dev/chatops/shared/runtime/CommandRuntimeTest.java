package dev.chatops.shared.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.chatops.shared.CommandRequest;
import dev.chatops.shared.command.CommandSpec;
import dev.chatops.shared.command.Form;
import dev.chatops.shared.command.Param;
import dev.chatops.shared.command.Role;
import dev.chatops.shared.command.Target;
import dev.chatops.testing.CaptureServer;
import dev.chatops.testing.CaptureServer.Answer;
import dev.chatops.testing.LocalAws;
import dev.chatops.testing.MotoExtension;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

@ExtendWith(MotoExtension.class)
class CommandRuntimeTest {
    @RegisterExtension
    static final CaptureServer slack = new CaptureServer();

    private static final CommandSpec BUMP = CommandSpec.of("bump", "Counts its calls.", Target.USER,
            Form.of(Role.ANYONE, "Adds one.", Param.required("name")));
    private static final CommandSpec BOOM = CommandSpec.of("boom", "Always breaks.", Target.USER,
            Form.of(Role.ANYONE, "Throws."));

    private final AtomicInteger effects = new AtomicInteger();
    private RuntimeFixture fixture;
    private CommandRuntime runtime;
    private LocalAws aws;

    @BeforeEach
    void setUp(LocalAws aws) {
        this.aws = aws;
        fixture = new RuntimeFixture(aws, Clock.systemUTC());
        Command bump = new Command() {
            @Override
            public CommandSpec spec() {
                return BUMP;
            }

            @Override
            public Reply run(CommandCall call) {
                int n = effects.incrementAndGet();
                return Reply.inChannel("bumped").text("bumped " + call.args().get(0) + " to " + n).build();
            }
        };
        Command boom = new Command() {
            @Override
            public CommandSpec spec() {
                return BOOM;
            }

            @Override
            public Reply run(CommandCall call) {
                throw new IllegalStateException("database password=hunter2 rejected");
            }
        };
        runtime = new CommandRuntime(List.of(bump, boom), fixture.services);
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

    private List<String> auditOutcomes(CommandRequest request) {
        return audit(request).stream().map(r -> r.get("outcome").s()).toList();
    }

    private List<Map<String, AttributeValue>> audit(CommandRequest request) {
        return fixture.dynamo.query(b -> b.tableName(aws.ref("AuditTable"))
                .keyConditionExpression("requestId = :id")
                .expressionAttributeValues(Map.of(":id", AttributeValue.fromS(request.requestId())))).items();
    }
}
