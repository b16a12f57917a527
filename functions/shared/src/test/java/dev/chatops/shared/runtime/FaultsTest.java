package dev.chatops.shared.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.chatops.shared.CommandRequest;
import dev.chatops.shared.Env;
import dev.chatops.shared.Log;
import dev.chatops.shared.command.CommandSpec;
import dev.chatops.shared.command.Form;
import dev.chatops.shared.command.Role;
import dev.chatops.shared.command.Target;
import dev.chatops.shared.edge.ResponseUrlPolicy;
import dev.chatops.testing.CaptureServer;
import dev.chatops.testing.CaptureServer.Answer;
import dev.chatops.testing.DynamoDbProxy;
import dev.chatops.testing.LocalAws;
import dev.chatops.testing.MotoExtension;
import dev.chatops.testing.MotoServer;
import dev.chatops.testing.MutableClock;
import dev.chatops.testing.SecretsNotLogged;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * What the runtime does when its parts fail: DynamoDB gone before or after the command acted,
 * throttled, an invocation cut short after acting, Slack hanging.
 */
@ExtendWith({MotoExtension.class, SecretsNotLogged.class})
class FaultsTest {
    @RegisterExtension
    static final CaptureServer slack = new CaptureServer();

    private static final CommandSpec CHANGE = CommandSpec.of("change", "Changes something.", Target.USER,
            Form.of(Role.ANYONE, "Counts."));
    /** A form that declares it changes things: marked as acting before it runs. */
    private static final CommandSpec ALTER = CommandSpec.of("alter", "Changes something, and says so.", Target.USER,
            Form.of(Role.ANYONE, "Counts.").changing());
    private final AtomicInteger effects = new AtomicInteger();

    private Command change() {
        return RuntimeFixture.command(CHANGE, call -> {
            effects.incrementAndGet();
            return Reply.line("changed");
        });
    }

    @Test
    void with_dynamodb_gone_nothing_runs_nothing_is_answered_and_lambda_is_asked_to_retry(LocalAws aws) {
        Map<String, String> env = aws.functionEnvironment(
                "UserFunction",
                Map.of(
                        RuntimeConfig.RESPONSE_URL_ALLOW,
                        "http://127.0.0.1",
                        "GITLAB_INSTANCES",
                        "ops=http://127.0.0.1:9,production=http://localhost:9",
                        "CHATOPS_PROJECT",
                        "ops/chatops"));
        MotoServer doomed = MotoServer.start();
        DynamoDbClient unreachable = DynamoDbClient.builder().httpClient(UrlConnectionHttpClient.create())
                .endpointOverride(URI.create(doomed.endpoint()))
                .overrideConfiguration(c -> c.retryStrategy(RetryMode.STANDARD)
                        .apiCallTimeout(Duration.ofSeconds(5)))
                .build();
        doomed.close();
        Services services = new Services(Env.of(env), unreachable, Clock.systemUTC(),
                ResponseUrlClient.standard(ResponseUrlPolicy.parse("http://127.0.0.1")));
        CommandRuntime runtime = new CommandRuntime(List.of(change()), services);

        assertThatThrownBy(() -> runtime.handle(RuntimeFixture.request("change", List.of(), slack.url("/faults/db")),
                Duration.ofSeconds(30))).isInstanceOf(StoreException.class);
        assertThat(effects).hasValue(0);
        assertThat(slack.postsTo("/faults/db")).isEmpty();
    }

    @Test
    void dynamodb_throttling_is_ridden_out_by_the_sdk_and_the_command_acts_once(LocalAws aws, MotoServer moto) {
        try (DynamoDbProxy proxy = new DynamoDbProxy(moto.endpoint())) {
            DynamoDbClient throttled = DynamoDbClient.builder().httpClient(UrlConnectionHttpClient.create())
                    .endpointOverride(URI.create(proxy.endpoint())).build();
            RuntimeFixture fixture = new RuntimeFixture(aws, Clock.systemUTC(), "http://127.0.0.1:9", throttled);
            CommandRuntime runtime = new CommandRuntime(List.of(change()), fixture.services);
            CommandRequest request = RuntimeFixture.request("change", List.of(), slack.url("/faults/throttled"));
            proxy.throttleNext(2);

            runtime.handle(request, Duration.ofSeconds(30));

            assertThat(proxy.throttled()).isEqualTo(2);
            assertThat(effects).hasValue(1);
            assertThat(slack.postsTo("/faults/throttled")).hasSize(1);
        }
    }

    @Test
    void throttling_that_outlasts_the_sdks_retries_leaves_nothing_done_and_asks_lambda_to_retry(
            LocalAws aws, MotoServer moto) {
        try (DynamoDbProxy proxy = new DynamoDbProxy(moto.endpoint())) {
            // The standard retry mode gives up after 3 attempts (the DynamoDB default keeps trying longer).
            DynamoDbClient throttled = DynamoDbClient.builder().httpClient(UrlConnectionHttpClient.create())
                    .endpointOverride(URI.create(proxy.endpoint()))
                    .overrideConfiguration(c -> c.retryStrategy(RetryMode.STANDARD)).build();
            RuntimeFixture fixture = new RuntimeFixture(aws, Clock.systemUTC(), "http://127.0.0.1:9", throttled);
            CommandRuntime runtime = new CommandRuntime(List.of(change()), fixture.services);
            CommandRequest request = RuntimeFixture.request("change", List.of(), slack.url("/faults/outlasted"));
            proxy.throttleNext(1000);

            assertThatThrownBy(() -> runtime.handle(request, Duration.ofSeconds(30)))
                    .isInstanceOf(StoreException.class);
            proxy.throttleNext(0);
            runtime.handle(request, Duration.ofSeconds(30));

            assertThat(effects).hasValue(1);
            assertThat(slack.postsTo("/faults/outlasted")).hasSize(1);
        }
    }

    @Test
    void a_hanging_response_url_is_abandoned_and_the_retry_posts_the_stored_reply_without_acting_again(LocalAws aws) {
        RuntimeFixture fixture = new RuntimeFixture(aws, Clock.systemUTC());
        CommandRuntime runtime = new CommandRuntime(List.of(change()), fixture.services);
        CommandRequest request = RuntimeFixture.request("change", List.of(), slack.url("/faults/hang"));
        slack.answerNextOn("/faults/hang", Answer.hang(Duration.ofSeconds(3)), Answer.hang(Duration.ofSeconds(3)),
                Answer.hang(Duration.ofSeconds(3)), Answer.hang(Duration.ofSeconds(3)));

        assertThatThrownBy(() -> runtime.handle(request, Duration.ofSeconds(12))).isInstanceOf(ReplyException.class);
        runtime.handle(request, Duration.ofSeconds(30));

        assertThat(effects).hasValue(1);
        List<CaptureServer.Post> posts = slack.postsTo("/faults/hang");
        assertThat(posts.size()).isLessThanOrEqualTo(5);
        assertThat(CaptureServer.textOf(posts.get(posts.size() - 1))).contains("changed");
    }

    @Test
    void dynamodb_stopping_after_the_command_acted_leaves_one_effect_one_answer_and_the_outcome_in_the_logs(
            LocalAws aws, MotoServer moto) {
        try (DynamoDbProxy proxy = new DynamoDbProxy(moto.endpoint())) {
            MutableClock clock = MutableClock.now();
            CommandRuntime runtime = alteringThrough(aws, proxy, clock, proxy::goDown);
            CommandRequest request = RuntimeFixture.request("alter", List.of(), slack.url("/faults/unrecorded"));

            String logs = logsOf(() -> runtime.handle(request, Duration.ofSeconds(30)));

            assertThat(effects).hasValue(1);
            assertThat(slack.postsTo("/faults/unrecorded"))
                    .singleElement()
                    .satisfies(post -> assertThat(CaptureServer.textOf(post))
                            .contains("altered it", "could not record this answer", request.requestId()));
            assertThat(logs)
                    .contains(
                            "\"event\":\"command.unrecorded\"",
                            "\"outcome\":\"ok\"",
                            "\"decision\":\"allowed\"",
                            "\"command\":\"alter\"");

            // DynamoDB is back, and Lambda delivers the event once more: it is not run again. Nothing recorded
            // that the first answer went out, so this delivery says what it can know, and that the first
            // answer stands: two answers, on purpose, rather than a second change.
            proxy.comeBack();
            clock.advance(Duration.ofMinutes(2));
            runtime.handle(request, Duration.ofSeconds(30));

            assertThat(effects).hasValue(1);
            assertThat(slack.postsTo("/faults/unrecorded"))
                    .hasSize(2)
                    .last()
                    .satisfies(post -> assertThat(CaptureServer.textOf(post))
                            .contains(
                                    "interrupted after it began to change things",
                                    "may or may not have taken effect",
                                    "If ChatOps already answered this request above, that answer stands"));
            assertThat(audit(aws, request)).extracting(r -> r.get("decision").s() + "/" + r.get("outcome").s())
                    .containsExactlyInAnyOrder("interrupted/unknown", "reported/unknown");
        }
    }

    @Test
    void dynamodb_stopping_before_the_command_acted_leaves_nothing_done_and_the_retry_runs_it(
            LocalAws aws, MotoServer moto) {
        try (DynamoDbProxy proxy = new DynamoDbProxy(moto.endpoint())) {
            MutableClock clock = MutableClock.now();
            CommandRuntime runtime = alteringThrough(aws, proxy, clock, () -> { });
            CommandRequest request = RuntimeFixture.request("alter", List.of(), slack.url("/faults/before"));
            // The outage starts as the claimed request is marked as acting (its first update).
            proxy.goDownAt("UpdateItem");

            assertThatThrownBy(() -> runtime.handle(request, Duration.ofSeconds(30)))
                    .isInstanceOf(StoreException.class);
            assertThat(effects).hasValue(0);
            assertThat(slack.postsTo("/faults/before")).isEmpty();

            proxy.comeBack();
            clock.advance(Duration.ofMinutes(1));
            runtime.handle(request, Duration.ofSeconds(30));

            assertThat(effects).hasValue(1);
            assertThat(slack.postsTo("/faults/before")).singleElement()
                    .satisfies(post -> assertThat(CaptureServer.textOf(post)).contains("altered it"));
            assertThat(audit(aws, request)).extracting(r -> r.get("decision").s() + "/" + r.get("outcome").s())
                    .containsExactlyInAnyOrder("interrupted/unknown", "allowed/ok");
        }
    }

    @Test
    void a_blip_before_the_command_acted_gives_the_hold_back_so_the_retry_runs_it_at_once(
            LocalAws aws, MotoServer moto) {
        try (DynamoDbProxy proxy = new DynamoDbProxy(moto.endpoint())) {
            CommandRuntime runtime = alteringThrough(aws, proxy, Clock.systemUTC(), () -> { });
            CommandRequest request = RuntimeFixture.request("alter", List.of(), slack.url("/faults/blip"));
            // Every attempt the SDK makes at marking the request as acting is dropped; then DynamoDB answers again.
            proxy.dropNext("UpdateItem", 3);

            assertThatThrownBy(() -> runtime.handle(request, Duration.ofSeconds(30)))
                    .isInstanceOf(StoreException.class);
            runtime.handle(request, Duration.ofSeconds(30));

            assertThat(effects).hasValue(1);
            assertThat(slack.postsTo("/faults/blip")).singleElement()
                    .satisfies(post -> assertThat(CaptureServer.textOf(post)).contains("altered it"));
            assertThat(audit(aws, request)).extracting(r -> r.get("decision").s() + "/" + r.get("outcome").s())
                    .containsExactlyInAnyOrder("unknown/error", "allowed/ok");
        }
    }

    @Test
    void a_reply_too_large_to_keep_is_followed_by_a_note_when_its_holder_died_while_posting_it(LocalAws aws) {
        RuntimeFixture fixture = new RuntimeFixture(aws, Clock.systemUTC());
        CommandRuntime runtime = new CommandRuntime(List.of(change()), fixture.services);
        CommandRequest request = RuntimeFixture.request("change", List.of(), slack.url("/faults/huge"));
        RequestClaims claims = fixture.services.claims();
        Instant past = Instant.now().minusSeconds(200);
        claims.claim(request.requestId(), "attempt-0", past, past.plusSeconds(30));
        claims.complete(request.requestId(), RuntimeFixture.tooLargeToStore(), "ok");
        claims.markPosted(request.requestId(), 1, false);

        runtime.handle(request, Duration.ofSeconds(30));

        assertThat(effects).hasValue(0);
        assertThat(slack.postsTo("/faults/huge"))
                .singleElement()
                .satisfies(post -> assertThat(CaptureServer.textOf(post))
                        .contains("ran, but its answer could not be kept for a retry", request.requestId()));
    }

    @Test
    void a_brief_outage_after_the_command_acted_is_recorded_once_dynamodb_is_back(LocalAws aws, MotoServer moto) {
        try (DynamoDbProxy proxy = new DynamoDbProxy(moto.endpoint())) {
            CommandRuntime runtime = alteringThrough(aws, proxy, Clock.systemUTC(), proxy::goDown);
            CommandRequest request = RuntimeFixture.request("alter", List.of(), slack.url("/faults/brief"));
            slack.onNextPostTo("/faults/brief", proxy::comeBack);

            String logs = logsOf(() -> runtime.handle(request, Duration.ofSeconds(30)));
            runtime.handle(request, Duration.ofSeconds(30));

            assertThat(effects).hasValue(1);
            assertThat(logs).contains("command.unrecorded", "command.recorded_late");
            assertThat(slack.postsTo("/faults/brief")).as("the later delivery finds it answered").singleElement()
                    .satisfies(post -> assertThat(CaptureServer.textOf(post)).contains("altered it"));
            assertThat(audit(aws, request)).extracting(r -> r.get("decision").s() + "/" + r.get("outcome").s())
                    .containsExactlyInAnyOrder("allowed/ok", "duplicate/skipped");
        }
    }

    @Test
    void a_cancelled_last_write_still_counts_the_answer_so_a_later_delivery_posts_nothing_and_finishes_the_audit(
            LocalAws aws, MotoServer moto) {
        try (DynamoDbProxy proxy = new DynamoDbProxy(moto.endpoint())) {
            MutableClock clock = MutableClock.now();
            CommandRuntime runtime = alteringThrough(aws, proxy, clock, () -> {
                // The answer's count and the audit finish go in one transaction once it is in Slack: it meets
                // another write to the request's item (a duplicate delivery's claim), and DynamoDB cancels it.
                proxy.conflictNext(aws.ref("RequestsTable"), 1);
            });
            CommandRequest request = RuntimeFixture.request("alter", List.of(), slack.url("/faults/last-write"));

            String logs = logsOf(() -> runtime.handle(request, Duration.ofSeconds(30)));
            clock.advance(Duration.ofMinutes(2));
            runtime.handle(request, Duration.ofSeconds(30));

            assertThat(logs).contains("audit.finish_with_count_failed").doesNotContain("reply.count_failed");
            assertThat(effects).hasValue(1);
            assertThat(slack.postsTo("/faults/last-write")).as("the later delivery finds it answered").singleElement()
                    .satisfies(post -> assertThat(CaptureServer.textOf(post)).contains("altered it"));
            assertThat(audit(aws, request)).extracting(r -> r.get("decision").s() + "/" + r.get("outcome").s())
                    .containsExactlyInAnyOrder("allowed/ok", "duplicate/skipped");
        }
    }

    @Test
    void a_delivery_that_reports_an_interrupted_change_and_is_cut_short_too_leaves_the_next_one_reporting_it(
            LocalAws aws, MotoServer moto) {
        try (DynamoDbProxy proxy = new DynamoDbProxy(moto.endpoint())) {
            MutableClock clock = MutableClock.now();
            CommandRuntime runtime = alteringThrough(aws, proxy, clock, call -> {
                effects.incrementAndGet();
                throw new RuntimeFixture.CutShort();
            });
            CommandRequest request = RuntimeFixture.request("alter", List.of(), slack.url("/faults/twice"));
            assertThatThrownBy(() -> runtime.handle(request, Duration.ofSeconds(30)))
                    .isInstanceOf(RuntimeFixture.CutShort.class);

            // The second delivery takes over, then loses DynamoDB and Slack alike: Lambda will retry it.
            clock.advance(Duration.ofSeconds(31));
            proxy.goDownAt("UpdateItem", 2);
            slack.answerNextOn(
                    "/faults/twice", Answer.status(500), Answer.status(500), Answer.status(500), Answer.status(500));
            assertThatThrownBy(() -> runtime.handle(request, Duration.ofSeconds(30)))
                    .isInstanceOf(ReplyException.class);
            proxy.comeBack();
            clock.advance(Duration.ofSeconds(31));
            runtime.handle(request, Duration.ofSeconds(30));

            assertThat(effects).hasValue(1);
            assertThat(slack.postsTo("/faults/twice")).last().satisfies(post -> assertThat(CaptureServer.textOf(post))
                    .contains("may or may not have taken effect"));
        }
    }

    @Test
    void an_invocation_cut_short_after_acting_is_not_run_again_and_the_person_is_told_it_may_have_taken_effect(
            LocalAws aws) {
        MutableClock clock = MutableClock.now();
        RuntimeFixture fixture = new RuntimeFixture(aws, clock);
        Command alter = RuntimeFixture.command(ALTER, call -> {
            effects.incrementAndGet();
            throw new RuntimeFixture.CutShort();
        });
        CommandRuntime runtime = new CommandRuntime(List.of(alter), fixture.services);
        CommandRequest request = RuntimeFixture.request("alter", List.of(), slack.url("/faults/cut"));

        assertThatThrownBy(() -> runtime.handle(request, Duration.ofSeconds(30)))
                .isInstanceOf(RuntimeFixture.CutShort.class);
        assertThatThrownBy(() -> runtime.handle(request, Duration.ofSeconds(30)))
                .isInstanceOf(RequestInProgressException.class);
        assertThat(effects).hasValue(1);
        assertThat(slack.postsTo("/faults/cut")).as("still held by the first delivery").isEmpty();

        clock.advance(Duration.ofSeconds(31));
        runtime.handle(request, Duration.ofSeconds(30));
        runtime.handle(request, Duration.ofSeconds(30));

        assertThat(effects).hasValue(1);
        assertThat(slack.postsTo("/faults/cut"))
                .singleElement()
                .satisfies(post -> assertThat(CaptureServer.textOf(post))
                        .contains(
                                "interrupted after it began to change things",
                                "may or may not have taken effect",
                                request.requestId()));
        assertThat(audit(aws, request))
                .extracting(r -> r.get("decision").s() + "/" + r.get("outcome").s())
                .containsExactlyInAnyOrder(
                        "interrupted/unknown", "duplicate/deferred", "reported/unknown", "duplicate/skipped");
    }

    @Test
    void an_invocation_cut_short_by_a_command_that_changes_nothing_is_simply_run_again(LocalAws aws) {
        MutableClock clock = MutableClock.now();
        RuntimeFixture fixture = new RuntimeFixture(aws, clock);
        AtomicInteger deliveries = new AtomicInteger();
        Command change = RuntimeFixture.command(CHANGE, call -> {
            if (deliveries.incrementAndGet() == 1) {
                throw new RuntimeFixture.CutShort();
            }
            effects.incrementAndGet();
            return Reply.line("read it");
        });
        CommandRuntime runtime = new CommandRuntime(List.of(change), fixture.services);
        CommandRequest request = RuntimeFixture.request("change", List.of(), slack.url("/faults/cut-read"));

        assertThatThrownBy(() -> runtime.handle(request, Duration.ofSeconds(30)))
                .isInstanceOf(RuntimeFixture.CutShort.class);
        clock.advance(Duration.ofSeconds(31));
        runtime.handle(request, Duration.ofSeconds(30));

        assertThat(effects).hasValue(1);
        assertThat(slack.postsTo("/faults/cut-read")).singleElement()
                .satisfies(post -> assertThat(CaptureServer.textOf(post)).contains("read it"));
        assertThat(audit(aws, request)).extracting(r -> r.get("decision").s() + "/" + r.get("outcome").s())
                .containsExactlyInAnyOrder("interrupted/unknown", "allowed/ok");
    }

    /** As below, with a command that counts its effect, does {@code whileActing}, and answers "altered it". */
    private CommandRuntime alteringThrough(LocalAws aws, DynamoDbProxy proxy, Clock clock, Runnable whileActing) {
        return alteringThrough(aws, proxy, clock, call -> {
            effects.incrementAndGet();
            whileActing.run();
            return Reply.inChannel("altered").text("altered it").build();
        });
    }

    /** A runtime running {@code ALTER} as {@code run} says, on DynamoDB through {@code proxy}. */
    private static CommandRuntime alteringThrough(LocalAws aws, DynamoDbProxy proxy, Clock clock,
                                                  Function<CommandCall, Reply> run) {
        RuntimeFixture fixture = new RuntimeFixture(aws, clock, "http://127.0.0.1:9", failingFast(proxy));
        return new CommandRuntime(List.of(RuntimeFixture.command(ALTER, run)), fixture.services);
    }

    /** A client that gives up on an unreachable DynamoDB within seconds (the standard retry mode, 3 attempts). */
    private static DynamoDbClient failingFast(DynamoDbProxy proxy) {
        return DynamoDbClient.builder().httpClient(UrlConnectionHttpClient.create())
                .endpointOverride(URI.create(proxy.endpoint()))
                .overrideConfiguration(c -> c.retryStrategy(RetryMode.STANDARD)
                        .apiCallTimeout(Duration.ofSeconds(5)))
                .build();
    }

    private static List<Map<String, AttributeValue>> audit(LocalAws aws, CommandRequest request) {
        return DynamoDbClient.builder().httpClient(UrlConnectionHttpClient.create()).build()
                .query(b -> b.tableName(aws.ref("AuditTable")).keyConditionExpression("requestId = :id")
                        .expressionAttributeValues(Map.of(":id", AttributeValue.fromS(request.requestId())))).items();
    }

    private static String logsOf(Runnable action) {
        ByteArrayOutputStream logs = new ByteArrayOutputStream();
        Log.redirect(new PrintStream(logs, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            Log.redirect(System.out);
        }
        return logs.toString(StandardCharsets.UTF_8);
    }
}
