package dev.chatops.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.chatops.shared.Env;
import dev.chatops.shared.Json;
import dev.chatops.shared.command.Target;
import dev.chatops.testing.CaptureServer;
import dev.chatops.testing.CaptureServer.Answer;
import dev.chatops.testing.LambdaEvents;
import dev.chatops.testing.LocalAws;
import dev.chatops.testing.MotoExtension;
import dev.chatops.testing.SecretsNotLogged;
import dev.chatops.testing.SlackRequests;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The gateway handler end to end on HTTP API 2.0 events: its signing secret read from Secrets
 * Manager on moto, its dispatch made by the real Lambda SDK client to a loopback Lambda API.
 */
@ExtendWith({MotoExtension.class, SecretsNotLogged.class})
class GatewayFunctionTest {
    /** Stands in for Lambda's Invoke API: records what the SDK sends, answers 202 as Lambda does for Event. */
    @RegisterExtension
    static final CaptureServer lambdaApi = new CaptureServer();

    private static final String INVOKE_PATH = "/2015-03-31/functions/UserFunction/invocations";
    private static final String RESPONSE_URL = "https://hooks.slack.com/commands/T0001/1/abc";
    private GatewayFunction handler;

    @BeforeEach
    void setUp(LocalAws aws) {
        lambdaApi.answerByDefault(Answer.of(202, ""));
        System.setProperty("aws.endpointUrlLambda", lambdaApi.url(""));
        handler = new GatewayFunction(environment(aws));
    }

    /** The gateway's environment here: its secret on moto, UserFunction for `whoami`, placeholders for the rest. */
    static Env environment(LocalAws aws) {
        Map<String, String> env = new HashMap<>();
        env.put(GatewayConfig.SIGNING_SECRET_ID, aws.ref("SigningSecret"));
        for (Target target : Target.values()) {
            env.put(target.envName(), target == Target.USER ? "UserFunction" : "Other" + target.ordinal());
        }
        return Env.of(env);
    }

    @AfterEach
    void tearDown() {
        System.clearProperty("aws.endpointUrlLambda");
    }

    @Test
    void a_signed_base64_event_is_verified_dispatched_asynchronously_and_acked() {
        APIGatewayV2HTTPResponse response =
                handle(event("run whoami", Instant.now().getEpochSecond(), MotoExtension.SIGNING_SECRET));

        assertThat(response.getStatusCode()).isEqualTo(200);
        Map<String, Object> ack = Json.readObject(response.getBody());
        assertThat(ack).containsEntry("response_type", "ephemeral");
        assertThat((String) ack.get("text")).contains("running `/chatops run whoami`");
        List<CaptureServer.Post> invokes = lambdaApi.postsTo(INVOKE_PATH);
        assertThat(invokes).hasSize(1);
        assertThat(invokes.get(0).headers().get("X-Amz-Invocation-Type")).isEqualTo("Event");
        Map<String, Object> payload = invokes.get(0).json();
        assertThat(payload).containsEntry("command", "whoami").containsEntry("userId", "U0ALICE")
                .containsEntry("teamId", "T0001").containsEntry("channelId", "C2147483705")
                .containsEntry("responseUrl", RESPONSE_URL).containsEntry("slashCommand", "/chatops")
                .containsKeys("requestId", "receivedAt");
    }

    @Test
    void explain_takes_its_statement_verbatim_with_only_trailing_options(LocalAws aws) {
        Map<String, String> env = new HashMap<>();
        env.put(GatewayConfig.SIGNING_SECRET_ID, aws.ref("SigningSecret"));
        for (Target target : Target.values()) {
            env.put(target.envName(), target.name());
        }
        env.put("GITLAB_INSTANCES", "ops=https://ops.example.com,production=https://gitlab.example.com");
        handler = new GatewayFunction(Env.of(env));
        String sql = "SELECT * FROM projects WHERE name = 'a  b' -- why\n  AND id &lt;&gt; 2";

        APIGatewayV2HTTPResponse response = handle(event("run explain " + sql + " --ops --no-analyze",
                Instant.now().getEpochSecond(), MotoExtension.SIGNING_SECRET));

        assertThat(text(response)).contains("running `/chatops run explain SELECT");
        Map<String, Object> payload = lambdaApi.postsTo("/2015-03-31/functions/EXPLAIN/invocations").get(0).json();
        assertThat(payload.get("args"))
                .isEqualTo(List.of("SELECT * FROM projects WHERE name = 'a  b' -- why\n  AND id <> 2"));
        assertThat(((Map<?, ?>) payload.get("options")).keySet().stream().map(String::valueOf).toList())
                .containsExactlyInAnyOrder("ops", "no-analyze");
        assertThat(text(handle(
                        event("run explain --ops", Instant.now().getEpochSecond(), MotoExtension.SIGNING_SECRET))))
                .contains("`explain` is missing <statement>…");
        assertThat(text(handle(
                        event("run explain --help", Instant.now().getEpochSecond(), MotoExtension.SIGNING_SECRET))))
                .contains("*explain*", "--no-analyze");
        assertThat(lambdaApi.postsTo("/2015-03-31/functions/EXPLAIN/invocations")).hasSize(1);
    }

    /**
     * Spaces Slack passes on as typed: a no-break space (Option+Space on a Mac), wide and narrow
     * ones, tabs and line breaks.
     */
    @ParameterizedTest
    @ValueSource(
            strings = {"\u00A0", "\u2002", "\u2003", "\u2007", "\u2009", "\u202F", "\u3000", "\t", "\n", " \u00A0 "})
    void any_space_between_the_words_reads_as_a_space_so_explain_takes_the_statement_as_typed(
            String space, LocalAws aws) {
        Map<String, String> env = new HashMap<>();
        env.put(GatewayConfig.SIGNING_SECRET_ID, aws.ref("SigningSecret"));
        for (Target target : Target.values()) {
            env.put(target.envName(), target.name());
        }
        env.put("GITLAB_INSTANCES", "ops=https://ops.example.com");
        handler = new GatewayFunction(Env.of(env));
        String sql = "SELECT 'a \"b\" c' AS x -- --note\n FROM t";

        APIGatewayV2HTTPResponse response = handle(event("run" + space + "explain" + space + sql + space + "--ops",
                Instant.now().getEpochSecond(), MotoExtension.SIGNING_SECRET));

        assertThat(text(response)).contains("running `/chatops run explain SELECT");
        Map<String, Object> payload = lambdaApi.postsTo("/2015-03-31/functions/EXPLAIN/invocations").get(0).json();
        assertThat(payload.get("args")).isEqualTo(List.of(sql));
        assertThat(((Map<?, ?>) payload.get("options"))
                        .keySet().stream().map(String::valueOf).toList())
                .containsExactly("ops");
    }

    @Test
    void a_replayed_request_is_dispatched_with_the_same_request_id_so_it_runs_once() {
        APIGatewayV2HTTPEvent event = event("run whoami", Instant.now().getEpochSecond(), MotoExtension.SIGNING_SECRET);
        APIGatewayV2HTTPEvent replay = event(
                "run whoami",
                Long.parseLong(event.getHeaders().get("x-slack-request-timestamp")),
                MotoExtension.SIGNING_SECRET);
        replay.setBody(event.getBody());
        replay.getHeaders().putAll(event.getHeaders());
        APIGatewayV2HTTPEvent other =
                event("run whoami", Instant.now().getEpochSecond() - 1, MotoExtension.SIGNING_SECRET);

        handle(event);
        handle(replay);
        handle(other);

        List<Object> ids = lambdaApi.postsTo(INVOKE_PATH).stream().map(p -> p.json().get("requestId")).toList();
        assertThat(ids).hasSize(3);
        assertThat(ids.get(0)).isEqualTo(ids.get(1)).isNotEqualTo(ids.get(2));
        assertThat((String) ids.get(0)).matches("sl-[0-9a-f]{32}");
    }

    @Test
    void a_plain_text_body_is_accepted_too() {
        APIGatewayV2HTTPEvent event = event("run whoami", Instant.now().getEpochSecond(), MotoExtension.SIGNING_SECRET);
        event.setBody(new String(Base64.getDecoder().decode(event.getBody()), StandardCharsets.UTF_8));
        event.setIsBase64Encoded(false);

        assertThat(handle(event).getStatusCode()).isEqualTo(200);
        assertThat(lambdaApi.postsTo(INVOKE_PATH)).hasSize(1);
    }

    @Test
    void a_body_with_one_byte_changed_is_refused_without_detail_or_dispatch() {
        APIGatewayV2HTTPEvent event = event("run whoami", Instant.now().getEpochSecond(), MotoExtension.SIGNING_SECRET);
        byte[] body = Base64.getDecoder().decode(event.getBody());
        body[body.length - 1] ^= 1;
        event.setBody(Base64.getEncoder().encodeToString(body));

        assertRefused(handle(event));
    }

    @Test
    void a_request_signed_with_another_secret_is_refused() {
        assertRefused(handle(event("run whoami", Instant.now().getEpochSecond(), "another-secret")));
    }

    @ParameterizedTest
    @ValueSource(longs = {-301, 301, -100_000, 100_000})
    void a_timestamp_outside_five_minutes_either_way_is_refused(long skew) {
        assertRefused(handle(event("run whoami", Instant.now().getEpochSecond() + skew, MotoExtension.SIGNING_SECRET)));
    }

    @ParameterizedTest
    @ValueSource(longs = {-290, 290})
    void a_timestamp_within_five_minutes_either_way_is_accepted(long skew) {
        assertThat(handle(event("run whoami", Instant.now().getEpochSecond() + skew, MotoExtension.SIGNING_SECRET))
                .getStatusCode()).isEqualTo(200);
    }

    @Test
    void missing_repeated_or_joined_signature_headers_are_refused() {
        long now = Instant.now().getEpochSecond();
        APIGatewayV2HTTPEvent missing = event("run whoami", now, MotoExtension.SIGNING_SECRET);
        missing.getHeaders().remove("x-slack-signature");
        APIGatewayV2HTTPEvent repeated = event("run whoami", now, MotoExtension.SIGNING_SECRET);
        repeated.getHeaders().put("X-Slack-Signature", repeated.getHeaders().get("x-slack-signature"));
        APIGatewayV2HTTPEvent joined = event("run whoami", now, MotoExtension.SIGNING_SECRET);
        String signature = joined.getHeaders().get("x-slack-signature");
        joined.getHeaders().put("x-slack-signature", signature + "," + signature);

        assertRefused(handle(missing));
        assertRefused(handle(repeated));
        assertRefused(handle(joined));
    }

    /**
     * The handler reads the event's bytes itself: what is no event of API Gateway's is answered 400,
     * a body that claims base64 and is not is answered 400, and an event without a body is a request
     * without a signature; nothing is dispatched, and every answer is a response API Gateway reads.
     */
    @Test
    void events_that_are_not_api_gateways_or_bodies_that_are_not_base64_get_400_and_nothing_is_sent()
            throws IOException {
        for (String event : List.of("not json", "[1, 2]", "null", "{\"body\": 12, \"headers\": [\"x\"]}",
                "{\"body\": \"%%%\", \"isBase64Encoded\": true, \"headers\": {}}")) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            handler.handleRequest(new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)), out, null);
            Map<String, Object> response = Json.readObject(out.toString(StandardCharsets.UTF_8));
            assertThat(response).as(event).containsEntry("isBase64Encoded", false).containsEntry("body", "");
            assertThat(response.get("statusCode")).as(event).isIn(400, 401);
        }
        APIGatewayV2HTTPEvent bodiless = new APIGatewayV2HTTPEvent();
        bodiless.setHeaders(new HashMap<>());
        assertRefused(handle(bodiless));
        assertThat(lambdaApi.posts()).isEmpty();
    }

    /**
     * With Tracing: Active, Lambda's Java runtime gives each invocation its trace header as the
     * system property {@code com.amazonaws.xray.traceHeader}; the Invoke carries it on, so the
     * command function's invocation is part of the same trace. Without one, no header is made up.
     */
    @Test
    void the_invoke_carries_the_invocations_trace_header_on_and_none_without_one() {
        String trace = "Root=1-6a5e6c1c-5759e988bd862e3fe1be46a9;Parent=53995c3f42cd8ad8;Sampled=1";
        System.setProperty("com.amazonaws.xray.traceHeader", trace);
        try {
            assertThat(handle(event("run whoami", Instant.now().getEpochSecond(), MotoExtension.SIGNING_SECRET))
                    .getStatusCode()).isEqualTo(200);
        } finally {
            System.clearProperty("com.amazonaws.xray.traceHeader");
        }
        handle(event("run whoami", Instant.now().getEpochSecond() - 1, MotoExtension.SIGNING_SECRET));

        List<CaptureServer.Post> invokes = lambdaApi.postsTo(INVOKE_PATH);
        assertThat(invokes).hasSize(2);
        assertThat(invokes.get(0).headers().get("X-Amzn-Trace-Id")).isEqualTo(trace);
        assertThat(invokes.get(1).headers()).doesNotContainKey("X-Amzn-Trace-Id");
    }

    @Test
    void slacks_unsigned_ssl_check_gets_200_and_nothing_else() {
        APIGatewayV2HTTPEvent event = new APIGatewayV2HTTPEvent();
        event.setHeaders(new HashMap<>());
        event.setBody(Base64.getEncoder().encodeToString("ssl_check=1&token=abc".getBytes(StandardCharsets.UTF_8)));
        event.setIsBase64Encoded(true);

        APIGatewayV2HTTPResponse response = handle(event);

        assertThat(response.getStatusCode()).isEqualTo(200);
        assertThat(response.getBody()).isEmpty();
        assertThat(lambdaApi.posts()).isEmpty();
    }

    @Test
    void help_unknown_commands_and_usage_errors_are_answered_inline_and_never_dispatched() {
        long now = Instant.now().getEpochSecond();
        String help = text(handle(event("run help", now, MotoExtension.SIGNING_SECRET)));
        String helpOne = text(handle(event("help whoami", now, MotoExtension.SIGNING_SECRET)));
        String unknown = text(handle(event("run whoamii", now, MotoExtension.SIGNING_SECRET)));
        String usage = text(handle(event("run whoami please", now, MotoExtension.SIGNING_SECRET)));
        String noRun = text(handle(event("whoami", now, MotoExtension.SIGNING_SECRET)));
        String quote = text(handle(event("run whoami \"unclosed", now, MotoExtension.SIGNING_SECRET)));

        assertThat(help).contains("`whoami`");
        assertThat(helpOne).contains("/chatops run whoami", "anyone may run it");
        assertThat(unknown).contains("`whoamii` is not a command", "Did you mean `whoami`?");
        assertThat(usage).contains("does not take `please`", "/chatops run whoami");
        assertThat(noRun).contains("Commands start with `run`");
        assertThat(quote).contains("not closed");
        assertThat(lambdaApi.posts()).isEmpty();
    }

    @Test
    void help_says_which_changes_wait_for_a_second_person_as_the_deployment_sets_it(LocalAws aws) {
        long now = Instant.now().getEpochSecond();
        String production = text(handle(event("help feature", now, MotoExtension.SIGNING_SECRET)));
        Map<String, String> env = new HashMap<>();
        env.put(GatewayConfig.SIGNING_SECRET_ID, aws.ref("SigningSecret"));
        for (Target target : Target.values()) {
            env.put(target.envName(), "Other" + target.ordinal());
        }
        env.put("APPROVALS", "none");
        handler = new GatewayFunction(Env.of(env));
        String none = text(handle(event("help feature", now + 1, MotoExtension.SIGNING_SECRET)));

        assertThat(production).as("the default, production").contains(
                "maintainer to change production; needs a second person's approval on production",
                "`--emergency=\"REASON\"` — owners only: skip the second person's approval (announced and audited)");
        assertThat(production.lines().filter(l -> l.contains("second person's approval on production")))
                .as("set and delete").hasSize(2);
        assertThat(none).doesNotContain("needs a second person's approval");
        assertThat(lambdaApi.posts()).isEmpty();
    }

    /**
     * {@code access request --reason "…"} as the issue and help write it: a multi-word reason in
     * quotes (Slack's smart ones too) reaches the function whole, with or without {@code =}.
     */
    @Test
    void a_quoted_multi_word_reason_reaches_the_function_whole_with_or_without_an_equals_sign() {
        long now = Instant.now().getEpochSecond();
        String spaced = text(handle(event("run access request --reason \u201COn-call for the DB team\u201D "
                + "--level maintainer", now, MotoExtension.SIGNING_SECRET)));
        handle(event("run access request --reason=\"two words\"", now, MotoExtension.SIGNING_SECRET));
        String missing = text(handle(event("run access request --reason", now, MotoExtension.SIGNING_SECRET)));

        assertThat(spaced).contains("running `/chatops run access request --reason");
        List<CaptureServer.Post> invokes = lambdaApi.postsTo("/2015-03-31/functions/Other"
                + Target.MEMBER.ordinal() + "/invocations");
        assertThat(invokes).hasSize(2);
        assertThat(invokes.get(0).json()).containsEntry("command", "access")
                .containsEntry("args", List.of("request"))
                .containsEntry("options", Map.of("reason", "On-call for the DB team", "level", "maintainer"));
        assertThat(invokes.get(1).json()).containsEntry("args", List.of("request"))
                .containsEntry("options", Map.of("reason", "two words"));
        assertThat(missing).contains("`--reason` needs a value: `--reason=\"WHY\"`.");
    }

    /** Slack sends what a person typed with {@code &}, {@code <}, {@code >} escaped. */
    @Test
    void markup_a_person_types_comes_back_as_the_characters_typed_never_as_a_mention_or_a_link() {
        long now = Instant.now().getEpochSecond();
        String unknown = text(handle(event("run &lt;!channel&gt;", now, MotoExtension.SIGNING_SECRET)));
        String usage =
                text(handle(event("run whoami &lt;https://evil.example|click&gt;", now, MotoExtension.SIGNING_SECRET)));
        String subcommand = text(handle(event("run user a&amp;b&lt;!here&gt;", now, MotoExtension.SIGNING_SECRET)));
        String option = text(handle(event("run whoami --&lt;!here&gt;", now, MotoExtension.SIGNING_SECRET)));
        String running =
                text(handle(event("run user find \"&lt;!channel&gt; a &amp; b\"", now, MotoExtension.SIGNING_SECRET)));

        assertThat(unknown).contains("`&lt;!channel&gt;` is not a command.");
        assertThat(usage).contains("does not take `&lt;https://evil.example|click&gt;`");
        assertThat(subcommand).contains("`user a&amp;b&lt;!here&gt;` is not a subcommand");
        assertThat(option).contains("`--&lt;!here&gt;` is not an option name.");
        assertThat(running).contains("running `/chatops run user find \"&lt;!channel&gt; a &amp; b\"` …");
        for (String reply : List.of(unknown, usage, subcommand, option, running)) {
            assertThat(reply).doesNotContain("<!channel>", "<!here>", "<https://evil", " & ");
        }
        assertThat(lambdaApi.postsTo(INVOKE_PATH)).hasSize(1);
    }

    @Test
    void a_response_url_off_the_allow_list_is_refused_before_dispatch() {
        Map<String, String> form = SlackRequests.slashCommand("run whoami", "U0ALICE", "https://attacker.example/hook");

        String text = text(handle(event(form, Instant.now().getEpochSecond(), MotoExtension.SIGNING_SECRET)));

        assertThat(text).contains("not one ChatOps answers to");
        assertThat(lambdaApi.posts()).isEmpty();
    }

    @Test
    void when_lambda_refuses_the_invoke_the_user_is_told_with_the_request_id() {
        lambdaApi.answerByDefault(Answer.of(429, "{\"Type\":\"User\",\"message\":\"Rate exceeded\"}"));
        APIGatewayV2HTTPEvent event = event("run whoami", Instant.now().getEpochSecond(), MotoExtension.SIGNING_SECRET);

        String text = text(handle(event));

        assertThat(text)
                .contains(
                        "Could not start",
                        Gateway.requestIdOf(
                                event.getHeaders().get("x-slack-request-timestamp"),
                                event.getHeaders().get("x-slack-signature")));
    }

    @ParameterizedTest
    @ValueSource(ints = {400, 403, 404, 413, 429})
    void when_lambda_answers_with_a_refusal_nothing_was_queued_and_the_user_may_try_again(int status) {
        lambdaApi.answerByDefault(Answer.of(status, "{\"Type\":\"User\",\"message\":\"refused\"}"));

        String text = text(handle(event("run whoami", Instant.now().getEpochSecond(), MotoExtension.SIGNING_SECRET)));

        assertThat(text)
                .contains("Could not start `/chatops run whoami`", "Try again")
                .doesNotContain("may have started");
        assertThat(lambdaApi.postsTo(INVOKE_PATH)).hasSizeBetween(1, 3);
    }

    @Test
    void when_nothing_listens_at_lambdas_address_nothing_was_sent_and_the_user_may_try_again() {
        try (CaptureServer closed = new CaptureServer().start()) {
            System.setProperty("aws.endpointUrlLambda", closed.url(""));
        }

        String text = text(handle(event("run whoami", Instant.now().getEpochSecond(), MotoExtension.SIGNING_SECRET)));

        assertThat(text)
                .contains("Could not start `/chatops run whoami`", "Try again")
                .doesNotContain("may have started");
    }

    @Test
    void when_lambda_takes_the_invoke_but_does_not_answer_in_time_the_user_hears_it_may_have_begun_and_how_to_check() {
        lambdaApi.answerByDefault(Answer.hang(Duration.ofSeconds(60)));
        APIGatewayV2HTTPEvent event = event("run whoami", Instant.now().getEpochSecond(), MotoExtension.SIGNING_SECRET);

        String text = text(handle(event));

        assertThat(text)
                .contains(
                        "`/chatops run whoami` may have started",
                        "/chatops run audit --command whoami --user U0ALICE",
                        Gateway.requestIdOf(
                                event.getHeaders().get("x-slack-request-timestamp"),
                                event.getHeaders().get("x-slack-signature")))
                .doesNotContain("Could not start", "Try again");
        List<Object> ids = lambdaApi.postsTo(INVOKE_PATH).stream()
                .map(p -> p.json().get("requestId"))
                .distinct()
                .toList();
        assertThat(ids).as("every retry carries the same request id, so the command runs at most once").hasSize(1);
        assertThat(lambdaApi.postsTo(INVOKE_PATH)).hasSizeBetween(1, 3);
    }

    @Test
    void when_lambda_fails_on_its_side_the_event_may_have_been_queued_so_the_user_is_told_it_may_have_started() {
        lambdaApi.answerByDefault(Answer.of(500, "{\"Type\":\"Service\",\"message\":\"ServiceException\"}"));

        String text = text(handle(event("run whoami", Instant.now().getEpochSecond(), MotoExtension.SIGNING_SECRET)));

        assertThat(text).contains("may have started").doesNotContain("Try again");
        assertThat(lambdaApi.postsTo(INVOKE_PATH)).hasSizeBetween(1, 3);
    }

    @Test
    void a_timed_out_invoke_followed_by_an_accepted_retry_is_simply_running() {
        lambdaApi.answerNextOn(INVOKE_PATH, Answer.hang(Duration.ofSeconds(60)));

        String text = text(handle(event("run whoami", Instant.now().getEpochSecond(), MotoExtension.SIGNING_SECRET)));

        assertThat(text).contains("running `/chatops run whoami`");
        assertThat(lambdaApi.postsTo(INVOKE_PATH)).hasSize(2);
    }

    @Test
    void the_gateway_gives_up_dispatching_inside_slacks_three_seconds_and_far_inside_its_lambda_timeout() {
        int timeoutSeconds = LocalAws.projectTemplate().function("GatewayFunction").timeout();
        Duration worstCase = LambdaDispatcher.BUDGET.plus(SigningSecret.FETCH_TIMEOUT);

        assertThat(LambdaDispatcher.BUDGET).isLessThan(Duration.ofSeconds(3));
        assertThat(worstCase.multipliedBy(3).dividedBy(2)).isLessThan(Duration.ofSeconds(timeoutSeconds));
    }

    @Test
    void a_signed_request_missing_slack_fields_is_a_bad_request() {
        Map<String, String> form = SlackRequests.slashCommand("run whoami", "U0ALICE", RESPONSE_URL);
        form.remove("user_id");

        assertThat(handle(event(form, Instant.now().getEpochSecond(), MotoExtension.SIGNING_SECRET))
                        .getStatusCode())
                .isEqualTo(400);
        assertThat(lambdaApi.posts()).isEmpty();
    }

    @Test
    void a_command_text_over_the_cap_gets_a_clear_answer_and_runs_nothing() {
        String prefix = "run user find ";
        String atTheCap = prefix + "x".repeat(Gateway.MAX_TEXT_CHARS - prefix.length());

        String answer =
                text(handle(event(atTheCap + "y", Instant.now().getEpochSecond(), MotoExtension.SIGNING_SECRET)));

        assertThat(answer)
                .contains("12,001 characters long", "at most 12,000", "Nothing was run")
                .doesNotContain("xxx");
        assertThat(lambdaApi.posts()).isEmpty();
        assertThat(text(handle(event(atTheCap, Instant.now().getEpochSecond(), MotoExtension.SIGNING_SECRET))))
                .contains("running `/chatops run user find");
        assertThat(lambdaApi.postsTo(INVOKE_PATH)).hasSize(1);
    }

    @Test
    void an_oversize_body_is_refused_before_anything_else() {
        Map<String, String> form =
                SlackRequests.slashCommand("run whoami " + "x".repeat(70_000), "U0ALICE", RESPONSE_URL);

        assertThat(handle(event(form, Instant.now().getEpochSecond(), MotoExtension.SIGNING_SECRET))
                        .getStatusCode())
                .isEqualTo(413);
        assertThat(lambdaApi.posts()).isEmpty();
    }

    private APIGatewayV2HTTPResponse handle(APIGatewayV2HTTPEvent event) {
        return LambdaEvents.invoke(handler, event, APIGatewayV2HTTPResponse.class, null);
    }

    private void assertRefused(APIGatewayV2HTTPResponse response) {
        assertThat(response.getStatusCode()).isEqualTo(401);
        assertThat(response.getBody()).isEmpty();
        assertThat(lambdaApi.posts()).isEmpty();
    }

    private static String text(APIGatewayV2HTTPResponse response) {
        assertThat(response.getStatusCode()).isEqualTo(200);
        return String.valueOf(Json.readObject(response.getBody()).get("text"));
    }

    static APIGatewayV2HTTPEvent event(String text, long timestamp, String secret) {
        return event(SlackRequests.slashCommand(text, "U0ALICE", RESPONSE_URL), timestamp, secret);
    }

    /** An HTTP API payload 2.0 event as API Gateway builds it from Slack's POST. */
    static APIGatewayV2HTTPEvent event(Map<String, String> form, long timestamp, String secret) {
        byte[] body = SlackRequests.formBody(form);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("content-type", "application/x-www-form-urlencoded");
        headers.put("user-agent", "Slackbot 1.0 (+https://api.slack.com/robots)");
        headers.put("x-slack-request-timestamp", Long.toString(timestamp));
        headers.put("x-slack-signature", SlackRequests.sign(secret, timestamp, body));
        APIGatewayV2HTTPEvent event = new APIGatewayV2HTTPEvent();
        event.setVersion("2.0");
        event.setRouteKey("POST /slack/commands");
        event.setRawPath("/slack/commands");
        event.setHeaders(headers);
        event.setRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder()
                .withRequestId(UUID.randomUUID().toString())
                .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder()
                        .withMethod("POST")
                        .withPath("/slack/commands")
                        .build())
                .build());
        event.setBody(Base64.getEncoder().encodeToString(body));
        event.setIsBase64Encoded(true);
        return event;
    }
}
