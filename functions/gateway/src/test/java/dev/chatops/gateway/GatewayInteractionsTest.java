package dev.chatops.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.chatops.shared.ClickRequest;
import dev.chatops.shared.Env;
import dev.chatops.shared.Json;
import dev.chatops.shared.Log;
import dev.chatops.shared.command.Target;
import dev.chatops.testing.CaptureServer;
import dev.chatops.testing.CaptureServer.Answer;
import dev.chatops.testing.LambdaEvents;
import dev.chatops.testing.LocalAws;
import dev.chatops.testing.MotoExtension;
import dev.chatops.testing.SecretsNotLogged;
import dev.chatops.testing.SlackRequests;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code POST /slack/interactions} through the gateway handler, on HTTP API 2.0 events: the signing
 * secret read from Secrets Manager on moto, the click handed over by the real dispatcher to a
 * loopback Lambda API. The signature properties both URLs share are in
 * {@link SignaturePropertiesTest}.
 */
@ExtendWith({MotoExtension.class, SecretsNotLogged.class})
class GatewayInteractionsTest {
    @RegisterExtension
    static final CaptureServer lambdaApi = new CaptureServer();

    private static final long NOW = 1_764_028_800L;
    private static final String FEATURE_INVOKE = "/2015-03-31/functions/FEATURE/invocations";
    private static final String RESPONSE_URL = "https://hooks.slack.com/actions/T0001/1/abc";

    /**
     * The example of a payload "from an interactive component used in a message" in Slack's
     * "block_actions payload" reference (docs.slack.dev/reference/interaction-payloads/block_actions-payload),
     * as published: its button's action_id, {@code WaXA}, is not one of ChatOps'.
     */
    static final String SLACK_EXAMPLE = """
            {
                "type": "block_actions",
                "team": {
                    "id": "T9TK3CUKW",
                    "domain": "example"
                },
                "user": {
                    "id": "UA8RXUSPL",
                    "username": "jtorrance",
                    "team_id": "T9TK3CUKW"
                },
                "api_app_id": "AABA1ABCD",
                "token": "9s8d9as89d8as9d8as989",
                "container": {
                    "type": "message_attachment",
                    "message_ts": "1548261231.000200",
                    "attachment_id": 1,
                    "channel_id": "CBR2V3XEX",
                    "is_ephemeral": false,
                    "is_app_unfurl": false
                },
                "trigger_id": "12321423423.333649436676.d8c1bb837935619ccad0f624c448ffb3",
                "channel": {
                    "id": "CBR2V3XEX",
                    "name": "review-updates"
                },
                "message": {
                    "bot_id": "BAH5CA16Z",
                    "type": "message",
                    "text": "This content can't be displayed.",
                    "user": "UAJ2RU415",
                    "ts": "1548261231.000200"
                },
                "response_url": "https://hooks.slack.com/actions/AABA1ABCD/1232321423432/D09sSasdasdAS9091209",
                "actions": [
                    {
                        "action_id": "WaXA",
                        "block_id": "=qXel",
                        "text": {
                            "type": "plain_text",
                            "text": "View",
                            "emoji": true
                        },
                        "value": "click_me_123",
                        "type": "button",
                        "action_ts": "1548426417.840180"
                    }
                ]
            }
            """;

    private GatewayFunction handler;

    @BeforeEach
    void setUp(LocalAws aws) {
        lambdaApi.answerByDefault(Answer.of(202, ""));
        System.setProperty("aws.endpointUrlLambda", lambdaApi.url(""));
        Map<String, String> env = new HashMap<>();
        env.put(GatewayConfig.SIGNING_SECRET_ID, aws.ref("SigningSecret"));
        for (Target target : Target.values()) {
            env.put(target.envName(), target.name());
        }
        handler = new GatewayFunction(Env.of(env), Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC));
    }

    @AfterEach
    void tearDown() {
        System.clearProperty("aws.endpointUrlLambda");
    }

    @Test
    void slacks_example_with_a_chatops_action_id_is_handed_to_the_function_owning_the_command_and_acked_empty() {
        String payload = SLACK_EXAMPLE.replace("\"WaXA\"", "\"feature.approve\"");
        APIGatewayV2HTTPEvent event = event(Map.of("payload", payload), NOW, MotoExtension.SIGNING_SECRET);

        APIGatewayV2HTTPResponse response = handle(event);

        assertThat(response.getStatusCode()).isEqualTo(200);
        assertThat(response.getBody()).isEmpty();
        assertThat(response.getHeaders()).isEmpty();
        List<CaptureServer.Post> invokes = lambdaApi.postsTo(FEATURE_INVOKE);
        assertThat(lambdaApi.posts()).hasSize(1);
        assertThat(invokes).hasSize(1);
        assertThat(invokes.get(0).headers().get("X-Amz-Invocation-Type")).isEqualTo("Event");
        Map<String, Object> wire = invokes.get(0).json();
        assertThat(wire.keySet()).containsExactlyInAnyOrder("version", "click");
        assertThat(wire).containsEntry("version", 1);
        ClickRequest click = ClickRequest.fromJson(invokes.get(0).body());
        assertThat(click.requestId())
                .isEqualTo(SlackHeaders.clickIdOf(event.getHeaders()))
                .matches("sc-[0-9a-f]{32}");
        assertThat(click.teamId()).isEqualTo("T9TK3CUKW");
        assertThat(click.enterpriseId()).isEmpty();
        assertThat(click.workspace()).isEqualTo("T9TK3CUKW");
        assertThat(click.userId()).isEqualTo("UA8RXUSPL");
        assertThat(click.userName()).isEqualTo("jtorrance");
        assertThat(click.channelId()).isEqualTo("CBR2V3XEX");
        assertThat(click.command()).isEqualTo("feature");
        assertThat(click.action()).isEqualTo("approve");
        assertThat(click.actionId()).isEqualTo("feature.approve");
        assertThat(click.value()).isEqualTo("click_me_123");
        assertThat(click.responseUrl())
                .isEqualTo("https://hooks.slack.com/actions/AABA1ABCD/1232321423432/D09sSasdasdAS9091209");
        assertThat(click.receivedAt()).isEqualTo(Instant.ofEpochSecond(NOW));
    }

    @Test
    void slacks_example_as_published_is_acked_and_nothing_is_handed_over_its_button_is_not_chatops() {
        APIGatewayV2HTTPResponse response =
                handle(event(Map.of("payload", SLACK_EXAMPLE), NOW, MotoExtension.SIGNING_SECRET));

        assertThat(response.getStatusCode()).isEqualTo(200);
        assertThat(response.getBody()).isEmpty();
        assertThat(lambdaApi.posts()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"member.approve", "member.deny", "feature.approve", "feature.deny", "access.approve"})
    void each_command_of_the_catalogue_gets_its_own_buttons_clicks_on_its_own_function(String actionId) {
        handle(event(click(actionId, p -> { }), NOW, MotoExtension.SIGNING_SECRET));

        String command = actionId.substring(0, actionId.indexOf('.'));
        String function = switch (command) {
            case "member", "access" -> Target.MEMBER.name();
            case "feature" -> Target.FEATURE.name();
            case "auto_deploy" -> Target.AUTO_DEPLOY.name();
            default -> Target.USER.name();
        };
        List<CaptureServer.Post> invokes = lambdaApi.postsTo("/2015-03-31/functions/" + function + "/invocations");
        assertThat(lambdaApi.posts()).hasSize(1);
        assertThat(invokes).hasSize(1);
        assertThat(ClickRequest.fromJson(invokes.get(0).body()).actionId()).isEqualTo(actionId);
    }

    /** ChatOps posts Approve and Deny, of commands whose changes may wait: no other button reaches a function. */
    @ParameterizedTest
    @ValueSource(strings = {"auto_deploy.approve", "explain.approve", "user.x_y", "feature.purge", "member.delete"})
    void a_button_chatops_never_posts_is_acked_and_handed_to_no_function(String actionId) {
        APIGatewayV2HTTPResponse response = handle(event(click(actionId, p -> { }), NOW, MotoExtension.SIGNING_SECRET));

        assertThat(response.getStatusCode()).isEqualTo(200);
        assertThat(response.getBody()).isEmpty();
        assertThat(lambdaApi.posts()).isEmpty();
    }

    @Test
    void a_replayed_click_is_handed_over_with_the_same_request_id_which_is_never_a_commands() {
        APIGatewayV2HTTPEvent first = event(click("feature.approve", p -> { }), NOW, MotoExtension.SIGNING_SECRET);
        APIGatewayV2HTTPEvent replay = event(click("feature.approve", p -> { }), NOW, MotoExtension.SIGNING_SECRET);
        replay.setBody(first.getBody());
        replay.getHeaders().putAll(first.getHeaders());
        APIGatewayV2HTTPEvent another =
                event(click("feature.approve", p -> { }), NOW - 1, MotoExtension.SIGNING_SECRET);

        handle(first);
        handle(replay);
        handle(another);

        List<String> ids = lambdaApi.postsTo(FEATURE_INVOKE).stream()
                .map(p -> ClickRequest.fromJson(p.body()).requestId()).toList();
        assertThat(ids).hasSize(3);
        assertThat(ids.get(0)).isEqualTo(ids.get(1)).isNotEqualTo(ids.get(2));
        String timestamp = first.getHeaders().get("x-slack-request-timestamp");
        String signature = first.getHeaders().get("x-slack-signature");
        assertThat(ids.get(0))
                .isEqualTo("sc-" + Gateway.requestIdOf(timestamp, signature).substring(3))
                .isNotEqualTo(Gateway.requestIdOf(timestamp, signature));
    }

    @ParameterizedTest
    @ValueSource(longs = {-301, 301, -100_000, 100_000})
    void a_click_signed_more_than_five_minutes_away_either_way_is_refused(long skew) {
        assertRefused(handle(event(click("feature.approve", p -> { }), NOW + skew, MotoExtension.SIGNING_SECRET)));
    }

    @ParameterizedTest
    @ValueSource(longs = {-300, 300})
    void a_click_signed_within_five_minutes_either_way_is_accepted(long skew) {
        assertThat(handle(event(click("feature.approve", p -> { }), NOW + skew, MotoExtension.SIGNING_SECRET))
                .getStatusCode()).isEqualTo(200);
        assertThat(lambdaApi.postsTo(FEATURE_INVOKE)).hasSize(1);
    }

    @Test
    void a_click_signed_with_another_secret_or_changed_after_signing_or_unsigned_is_refused() {
        APIGatewayV2HTTPEvent forged = event(click("feature.approve", p -> { }), NOW, "another-secret");
        APIGatewayV2HTTPEvent changed = event(click("feature.approve", p -> { }), NOW, MotoExtension.SIGNING_SECRET);
        String body = new String(Base64.getDecoder().decode(changed.getBody()), StandardCharsets.UTF_8);
        changed.setBody(Base64.getEncoder().encodeToString(
                body.replace("feature.approve", "feature.adprove").getBytes(StandardCharsets.UTF_8)));
        APIGatewayV2HTTPEvent unsigned = event(click("feature.approve", p -> { }), NOW, MotoExtension.SIGNING_SECRET);
        unsigned.getHeaders().remove("x-slack-signature");
        APIGatewayV2HTTPEvent joined = event(click("feature.approve", p -> { }), NOW, MotoExtension.SIGNING_SECRET);
        String signature = joined.getHeaders().get("x-slack-signature");
        joined.getHeaders().put("x-slack-signature", signature + "," + signature);

        assertRefused(handle(forged));
        assertRefused(handle(changed));
        assertRefused(handle(unsigned));
        assertRefused(handle(joined));
    }

    /** Signed by Slack, so not an attack: but not a click on one of ChatOps' buttons either. */
    static Stream<Arguments> signedButNotAChatOpsClick() {
        return Stream.of(
                Arguments.of("unknown command", click("deploy.approve", p -> { })),
                Arguments.of("upper-case command", click("Feature.approve", p -> { })),
                Arguments.of("no action", click("feature", p -> { })),
                Arguments.of("action too long", click("feature." + "a".repeat(21), p -> { })),
                Arguments.of("action with a digit", click("feature.approve2", p -> { })),
                Arguments.of("two dots", click("feature.approve.now", p -> { })),
                Arguments.of("malformed JSON", Map.of("payload", "{\"type\":\"block_actions\",")),
                Arguments.of("JSON but not an object", Map.of("payload", "[1,2]")),
                Arguments.of("JSON null", Map.of("payload", "null")),
                Arguments.of("no payload field", Map.of("type", "block_actions")),
                Arguments.of("missing response_url", click("feature.approve", p -> p.remove("response_url"))),
                Arguments.of("null response_url", click("feature.approve", p -> p.put("response_url", null))),
                Arguments.of("foreign response_url",
                        click("feature.approve", p -> p.put("response_url", "https://attacker.example/hook"))),
                Arguments.of("two actions", click("feature.approve", p -> actions(p).add(actions(p).get(0)))),
                Arguments.of("no actions", click("feature.approve", p -> actions(p).clear())),
                Arguments.of("actions not a list", click("feature.approve", p -> p.put("actions", "feature.approve"))),
                Arguments.of("value with a space", click("feature.approve", p -> action(p).put("value", "ap 1"))),
                Arguments.of("value with markup", click("feature.approve", p -> action(p).put("value", "<!here>"))),
                Arguments.of("value with a path", click("feature.approve", p -> action(p).put("value", "../ap1"))),
                Arguments.of("value too long", click("feature.approve", p -> action(p).put("value", "a".repeat(101)))),
                Arguments.of("empty value", click("feature.approve", p -> action(p).put("value", ""))),
                Arguments.of("no value", click("feature.approve", p -> action(p).remove("value"))),
                Arguments.of("numeric value", click("feature.approve", p -> action(p).put("value", 12))),
                Arguments.of("view_submission", click("feature.approve", p -> p.put("type", "view_submission"))),
                Arguments.of("interactive_message", click("feature.approve",
                        p -> p.put("type", "interactive_message"))),
                Arguments.of("no type", click("feature.approve", p -> p.remove("type"))),
                Arguments.of("no user", click("feature.approve", p -> p.remove("user"))),
                Arguments.of("no channel", click("feature.approve", p -> p.remove("channel"))),
                Arguments.of("no team anywhere", click("feature.approve", p -> {
                    p.put("team", null);
                    object(p, "user").remove("team_id");
                })),
                Arguments.of("the Connect link button", click("link-gitlab", p -> {
                    action(p).remove("value");
                    action(p).put("url", "https://chatops.example/link/start?state=s");
                })),
                Arguments.of("a slash command", SlackRequests.slashCommand("run whoami", "U0ALICE", RESPONSE_URL)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("signedButNotAChatOpsClick")
    void a_signed_request_that_is_not_a_click_on_a_chatops_button_is_acked_empty_and_nothing_handed_over(
            String what, Map<String, String> form) {
        ByteArrayOutputStream logs = new ByteArrayOutputStream();
        Log.redirect(new PrintStream(logs, true, StandardCharsets.UTF_8));
        APIGatewayV2HTTPResponse response;
        try {
            response = handle(event(form, NOW, MotoExtension.SIGNING_SECRET));
        } finally {
            Log.redirect(System.out);
        }

        assertThat(response.getStatusCode()).isEqualTo(200);
        assertThat(response.getBody()).isEmpty();
        assertThat(lambdaApi.posts()).isEmpty();
        String logged = logs.toString(StandardCharsets.UTF_8);
        assertThat(logged.lines().filter(l -> l.contains("\"interaction.ignored\""))).singleElement()
                .satisfies(line -> assertThat(Json.readObject(line)).containsEntry("level", "WARN")
                        .containsKey("reason"));
        assertThat(logged).as("the payload is not logged")
                .doesNotContain("ap-1", "hooks.slack.com", "attacker.example", "gIkuvaNzQIHg97ATvDxqgjtO",
                        "12321423423", "<!here>", "block_id");
    }

    @Test
    void an_app_installed_on_an_enterprise_organisation_has_no_team_the_clickers_workspace_is_their_team_id() {
        handle(event(click("feature.approve", p -> {
            p.put("team", null);
            p.put("is_enterprise_install", true);
            p.put("enterprise", new HashMap<>(Map.of("id", "E0001", "name", "Acme")));
            object(p, "user").put("team_id", "T0002");
        }), NOW, MotoExtension.SIGNING_SECRET));

        ClickRequest click = ClickRequest.fromJson(lambdaApi.postsTo(FEATURE_INVOKE).get(0).body());
        assertThat(click.teamId()).isEqualTo("T0002");
        assertThat(click.enterpriseId()).isEqualTo("E0001");
        assertThat(click.workspace()).isEqualTo("E0001");
    }

    @Test
    void without_the_users_team_id_the_team_is_the_payloads_team() {
        handle(event(click("feature.approve", p -> object(p, "user").remove("team_id")), NOW,
                MotoExtension.SIGNING_SECRET));

        ClickRequest click = ClickRequest.fromJson(lambdaApi.postsTo(FEATURE_INVOKE).get(0).body());
        assertThat(click.teamId()).isEqualTo("T0001");
        assertThat(click.enterpriseId()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(ints = {400, 403, 429, 500, 503})
    void when_the_click_cannot_be_handed_over_slack_gets_500_so_the_person_sees_the_button_failed(int status) {
        lambdaApi.answerByDefault(Answer.of(status, "{\"Type\":\"User\",\"message\":\"refused\"}"));

        APIGatewayV2HTTPResponse response =
                handle(event(click("feature.approve", p -> { }), NOW, MotoExtension.SIGNING_SECRET));

        assertThat(response.getStatusCode()).isEqualTo(500);
        assertThat(response.getBody()).isEmpty();
        assertThat(lambdaApi.postsTo(FEATURE_INVOKE)).hasSizeBetween(1, 3);
    }

    @Test
    void the_route_decides_which_url_was_called_not_the_body() {
        Map<String, String> click = click("feature.approve", p -> { });
        APIGatewayV2HTTPEvent toCommands = GatewayFunctionTest.event(click, NOW, MotoExtension.SIGNING_SECRET);
        APIGatewayV2HTTPEvent byPathOnly = event(click, NOW - 1, MotoExtension.SIGNING_SECRET);
        byPathOnly.setRouteKey(null);
        APIGatewayV2HTTPEvent byPathOnDefaultRoute = event(click, NOW - 2, MotoExtension.SIGNING_SECRET);
        byPathOnDefaultRoute.setRouteKey("$default");

        assertThat(handle(toCommands).getStatusCode()).as("a click is not a slash command form").isEqualTo(400);
        assertThat(lambdaApi.posts()).isEmpty();
        assertThat(handle(byPathOnly).getStatusCode()).isEqualTo(200);
        assertThat(handle(byPathOnDefaultRoute).getStatusCode()).isEqualTo(200);
        assertThat(lambdaApi.postsTo(FEATURE_INVOKE)).hasSize(2);
    }

    @Test
    void the_body_is_read_as_for_commands_plain_or_base64_and_broken_base64_is_a_bad_request() {
        APIGatewayV2HTTPEvent plain = event(click("feature.approve", p -> { }), NOW, MotoExtension.SIGNING_SECRET);
        plain.setBody(new String(Base64.getDecoder().decode(plain.getBody()), StandardCharsets.UTF_8));
        plain.setIsBase64Encoded(false);
        APIGatewayV2HTTPEvent broken = event(click("feature.approve", p -> { }), NOW, MotoExtension.SIGNING_SECRET);
        broken.setBody("%%%" + broken.getBody());

        assertThat(handle(plain).getStatusCode()).isEqualTo(200);
        assertThat(lambdaApi.postsTo(FEATURE_INVOKE)).hasSize(1);
        assertThat(handle(broken).getStatusCode()).isEqualTo(400);
        assertThat(lambdaApi.postsTo(FEATURE_INVOKE)).hasSize(1);
    }

    @Test
    void an_oversize_body_is_refused_before_its_signature_is_read() {
        Map<String, String> huge = click("feature.approve",
                p -> object(p, "message").put("text", "x".repeat(Gateway.MAX_INTERACTION_BODY_BYTES)));

        assertThat(handle(event(huge, NOW, MotoExtension.SIGNING_SECRET)).getStatusCode()).isEqualTo(413);
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

    /** The form of a click on a button with {@code actionId} and value {@code ap-1}, changed by {@code change}. */
    static Map<String, String> click(String actionId, Consumer<Map<String, Object>> change) {
        Map<String, Object> payload = SlackRequests.blockActions(actionId, "ap-1", "U0ALICE", RESPONSE_URL);
        change.accept(payload);
        return SlackRequests.interaction(payload);
    }

    @SuppressWarnings("unchecked")
    private static List<Object> actions(Map<String, Object> payload) {
        return (List<Object>) payload.get("actions");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> action(Map<String, Object> payload) {
        return (Map<String, Object>) actions(payload).get(0);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Map<String, Object> payload, String name) {
        return (Map<String, Object>) payload.get(name);
    }

    /** An HTTP API payload 2.0 event as API Gateway builds it from Slack's POST to the interactivity URL. */
    static APIGatewayV2HTTPEvent event(Map<String, String> form, long timestamp, String secret) {
        APIGatewayV2HTTPEvent event = GatewayFunctionTest.event(form, timestamp, secret);
        event.setRouteKey(GatewayFunction.INTERACTIONS_ROUTE);
        event.setRawPath(GatewayFunction.INTERACTIONS_PATH);
        event.getRequestContext().getHttp().setPath(GatewayFunction.INTERACTIONS_PATH);
        return event;
    }
}
