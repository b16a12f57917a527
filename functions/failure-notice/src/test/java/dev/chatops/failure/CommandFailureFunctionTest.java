package dev.chatops.failure;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.chatops.shared.CommandRequest;
import dev.chatops.shared.Env;
import dev.chatops.shared.Json;
import dev.chatops.shared.runtime.Reply;
import dev.chatops.shared.runtime.RequestClaims;
import dev.chatops.shared.runtime.RuntimeConfig;
import dev.chatops.shared.runtime.Services;
import dev.chatops.testing.CaptureServer;
import dev.chatops.testing.CaptureServer.Answer;
import dev.chatops.testing.LocalAws;
import dev.chatops.testing.LocalLambdaContext;
import dev.chatops.testing.MotoExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The on-failure destination's consumer, fed Lambda's destination records as SQS delivers them. */
@ExtendWith(MotoExtension.class)
class CommandFailureFunctionTest {
    @RegisterExtension
    static final CaptureServer slack = new CaptureServer();

    private CommandFailureFunction function;
    private RequestClaims claims;

    @BeforeEach
    void setUp(LocalAws aws) {
        Services services = Services.fromEnvironment(Env.of(aws.functionEnvironment("CommandFailureFunction",
                Map.of(RuntimeConfig.RESPONSE_URL_ALLOW, "http://127.0.0.1"))));
        function = new CommandFailureFunction(services);
        claims = services.claims();
    }

    @Test
    void the_user_is_told_once_that_the_command_failed_with_its_request_id() {
        // As Lambda publishes the version: the SnapStart hook runs first, and posts nothing.
        assertThat(function.priming().prime()).isTrue();
        assertThat(slack.posts()).isEmpty();
        CommandRequest request = request("/r/1");
        claims.claim(
                request.requestId(),
                "attempt-1",
                Instant.now().minusSeconds(200),
                Instant.now().minusSeconds(170));

        SQSBatchResponse first = function.handleRequest(event(request), context());
        SQSBatchResponse again = function.handleRequest(event(request), context());

        assertThat(first.getBatchItemFailures()).isEmpty();
        assertThat(again.getBatchItemFailures()).isEmpty();
        List<CaptureServer.Post> posts = slack.postsTo("/r/1");
        assertThat(posts).hasSize(1);
        assertThat(CaptureServer.textOf(posts.get(0))).contains("/chatops run whoami", "did not complete",
                "failed 3 times", request.requestId());
    }

    @Test
    void a_request_that_was_answered_after_all_gets_no_failure_notice() {
        CommandRequest request = request("/r/2");
        claims.claim(request.requestId(), "attempt-1", Instant.now(), Instant.now().plusSeconds(30));
        claims.complete(request.requestId(), Reply.line("fine").messages(), "ok");
        claims.markPosted(request.requestId(), 1, true);

        function.handleRequest(event(request), context());

        assertThat(slack.postsTo("/r/2")).isEmpty();
    }

    @Test
    void a_command_that_ran_but_whose_answer_never_reached_slack_is_not_called_failed() {
        CommandRequest request = request("/r/4");
        claims.claim(
                request.requestId(),
                "attempt-1",
                Instant.now().minusSeconds(200),
                Instant.now().minusSeconds(170));
        claims.complete(request.requestId(), Reply.line("fine").messages(), "ok");

        function.handleRequest(event(request), context());

        assertThat(CaptureServer.textOf(slack.postsTo("/r/4").get(0)))
                .contains("ran, but its answer could not be delivered", request.requestId())
                .doesNotContain("did not complete");
    }

    @Test
    void a_change_interrupted_after_it_began_to_act_is_reported_as_maybe_done_not_as_failed() {
        CommandRequest request = request("/r/6");
        claims.claim(
                request.requestId(),
                "attempt-1",
                Instant.now().minusSeconds(200),
                Instant.now().minusSeconds(170));
        claims.markActing(request.requestId(), "attempt-1");

        function.handleRequest(event(request), context());

        assertThat(CaptureServer.textOf(slack.postsTo("/r/6").get(0)))
                .contains("interrupted after it began to change things", "may or may not have taken effect",
                        request.requestId())
                .doesNotContain("did not complete");
    }

    @Test
    void no_notice_once_the_response_url_has_taken_its_five_posts() {
        CommandRequest request = request("/r/5");
        claims.claim(
                request.requestId(),
                "attempt-1",
                Instant.now().minusSeconds(200),
                Instant.now().minusSeconds(170));
        claims.complete(request.requestId(), Reply.line("fine").messages(), "ok");
        claims.markPosted(request.requestId(), 5, false);

        function.handleRequest(event(request), context());

        assertThat(slack.postsTo("/r/5")).isEmpty();
    }

    @Test
    void a_notice_slack_cannot_take_now_is_left_on_the_queue_for_later() {
        CommandRequest request = request("/r/3");
        slack.answerByDefault(Answer.status(503));

        SQSBatchResponse response = function.handleRequest(event(request), context());
        slack.answerByDefault(Answer.status(200));
        SQSBatchResponse retried = function.handleRequest(event(request), context());

        assertThat(response.getBatchItemFailures()).hasSize(1);
        assertThat(retried.getBatchItemFailures()).isEmpty();
        assertThat(slack.postsTo("/r/3"))
                .last()
                .satisfies(p -> assertThat(CaptureServer.textOf(p)).contains("did not complete"));
    }

    @Test
    void a_record_that_is_not_a_destination_record_is_dropped_without_a_post() {
        SQSEvent.SQSMessage message = new SQSEvent.SQSMessage();
        message.setMessageId("m-1");
        message.setBody("{\"hello\":\"world\"}");
        SQSEvent event = new SQSEvent();
        event.setRecords(List.of(message));

        assertThat(function.handleRequest(event, context()).getBatchItemFailures()).isEmpty();
        assertThat(slack.posts()).isEmpty();
    }

    private CommandRequest request(String path) {
        return new CommandRequest(UUID.randomUUID().toString(), "T1", "", "U1", "alice", "C1", "ops", "/chatops",
                "whoami", List.of(), Map.of(), "", slack.url(path), Instant.now());
    }

    /** An SQS event carrying Lambda's on-failure destination record, in the shape of Lambda's documentation. */
    private static SQSEvent event(CommandRequest request) {
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("version", "1.0");
        record.put("timestamp", Instant.now().toString());
        record.put("requestContext", Map.of("requestId", UUID.randomUUID().toString(),
                "functionArn", "arn:aws:lambda:us-east-1:123456789012:function:UserFunction:live",
                "condition", "RetriesExhausted", "approximateInvokeCount", 3));
        record.put("requestPayload", Json.readObject(request.toJson()));
        record.put("responseContext", Map.of("statusCode", 200, "executedVersion", "7", "functionError", "Unhandled"));
        record.put("responsePayload", Map.of("errorMessage", "boom", "errorType", "java.lang.IllegalStateException"));
        SQSEvent.SQSMessage message = new SQSEvent.SQSMessage();
        message.setMessageId(UUID.randomUUID().toString());
        message.setBody(Json.write(record));
        SQSEvent event = new SQSEvent();
        event.setRecords(List.of(message));
        return event;
    }

    private static LocalLambdaContext context() {
        return new LocalLambdaContext("CommandFailureFunction", Duration.ofSeconds(30));
    }
}
