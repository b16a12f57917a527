package dev.chatops.linkpages;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.chatops.shared.Env;
import dev.chatops.shared.access.AccessStore;
import dev.chatops.shared.access.Link;
import dev.chatops.shared.access.LinkState;
import dev.chatops.shared.runtime.ResponseUrlClient;
import dev.chatops.shared.runtime.RuntimeConfig;
import dev.chatops.shared.runtime.Services;
import dev.chatops.testing.GitLabStandIn;
import dev.chatops.testing.LocalAws;
import dev.chatops.testing.LocalLambdaContext;
import dev.chatops.testing.MotoExtension;
import dev.chatops.testing.SecretsNotLogged;
import dev.chatops.testing.MutableClock;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The linking flow through LinkFunction's handler, with GitLab's OAuth played by the stand-in:
 * start → GitLab's authorize page → callback → link stored → page and Slack message.
 */
@ExtendWith({MotoExtension.class, SecretsNotLogged.class})
class LinkFunctionTest {
    @RegisterExtension
    static final GitLabStandIn gitlab = new GitLabStandIn();

    private static final String HOST = "abc123.execute-api.us-east-1.amazonaws.com";
    private static final String CALLBACK = "https://" + HOST + "/link/callback";

    private final MutableClock clock = MutableClock.now();
    private LinkFunction function;
    private LinkState states;
    private AccessStore access;
    private String team;

    @BeforeEach
    void setUp(LocalAws aws) {
        // No admin token on GitLab for linking: the pages hold none, and sign in with the person's own.
        gitlab.addOAuthApplication(MotoExtension.OAUTH_CLIENT_ID, MotoExtension.OAUTH_CLIENT_SECRET);
        gitlab.addProject("ops/chatops");
        Map<String, String> env = aws.functionEnvironment("LinkFunction", Map.of(
                RuntimeConfig.RESPONSE_URL_ALLOW, "http://127.0.0.1",
                "GITLAB_INSTANCES", "ops=" + gitlab.baseUrl() + ",production=http://localhost:9",
                "CHATOPS_PROJECT", "ops/chatops"));
        Services services = new Services(
                Env.of(env),
                DynamoDbClient.builder()
                        .httpClient(UrlConnectionHttpClient.create())
                        .build(),
                clock,
                ResponseUrlClient.standard(RuntimeConfig.from(Env.of(env)).responseUrls()));
        function = new LinkFunction(services, Env.of(env));
        states = services.linkState();
        access = services.access();
        team = "T" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void start_sends_the_person_to_gitlabs_authorize_page_asking_only_to_read_their_account() {
        // As Lambda publishes the version: the SnapStart hook runs first, and asks GitLab nothing.
        int gitlabRequests = gitlab.requests().size();
        assertThat(function.priming().prime()).isTrue();
        assertThat(gitlab.requests()).hasSize(gitlabRequests);
        String state = states.issue(team, "U1");

        APIGatewayV2HTTPResponse response = get("/link/start", "state=" + enc(state));

        assertThat(response.getStatusCode()).isEqualTo(302);
        URI location = URI.create(response.getHeaders().get("location"));
        assertThat(location.toString()).startsWith(gitlab.baseUrl() + "/oauth/authorize?")
                .contains("client_id=" + MotoExtension.OAUTH_CLIENT_ID, "response_type=code", "scope=read_user",
                        "redirect_uri=" + enc(CALLBACK), "state=" + enc(state));
    }

    @Test
    void a_successful_sign_in_holds_the_account_under_a_code_to_type_in_slack_and_links_nobody_yet() {
        long alice = gitlab.addUser("alice", true).id();
        gitlab.addMember("ops/chatops", "alice", 30);
        String state = states.issue(team, "U1");

        APIGatewayV2HTTPResponse page =
                callback(state, gitlab.authorize(MotoExtension.OAUTH_CLIENT_ID, CALLBACK, "alice"));

        assertThat(page.getStatusCode()).isEqualTo(200);
        assertThat(page.getBody()).contains("One step left", "alice", "/chatops run link ", "Never give this code");
        assertThat(access.findLink(team, "U1")).isEmpty();
        Matcher code = Pattern.compile("link ([A-Z0-9]{4}-[A-Z0-9]{4})").matcher(page.getBody());
        assertThat(code.find()).isTrue();
        assertThat(access.pending(code.group(1), clock.instant())).hasValueSatisfying(pending -> {
            assertThat(pending.gitlabUserId()).isEqualTo(alice);
            // No admin token here to read the role with: held as never checked, read at `link CODE`.
            assertThat(pending.accessLevel()).isZero();
            assertThat(pending.checkedAt()).isEqualTo(Instant.EPOCH);
        });
        assertThat(access.pending(code.group(1), clock.instant().plus(LinkState.LIFETIME)))
                .as("for 10 minutes")
                .isEmpty();
        assertThat(page.getHeaders()).containsKey("content-security-policy");
    }

    @Test
    void a_state_used_once_cannot_be_replayed() {
        gitlab.addUser("alice", true);
        String state = states.issue(team, "U1");
        callback(state, gitlab.authorize(MotoExtension.OAUTH_CLIENT_ID, CALLBACK, "alice"));

        APIGatewayV2HTTPResponse replay =
                callback(state, gitlab.authorize(MotoExtension.OAUTH_CLIENT_ID, CALLBACK, "alice"));

        assertThat(replay.getStatusCode()).isEqualTo(400);
        assertThat(replay.getBody()).contains("already used");
        assertThat(access.findLink(team, "U1")).isEmpty();
    }

    @Test
    void an_expired_state_is_refused_at_start_and_at_the_callback() {
        gitlab.addUser("alice", true);
        String state = states.issue(team, "U1");
        clock.advance(Duration.ofMinutes(10).plusSeconds(1));

        assertThat(get("/link/start", "state=" + enc(state)).getBody()).contains("expired");
        APIGatewayV2HTTPResponse page =
                callback(state, gitlab.authorize(MotoExtension.OAUTH_CLIENT_ID, CALLBACK, "alice"));
        assertThat(page.getStatusCode()).isEqualTo(400);
        assertThat(page.getBody()).contains("expired");
        assertThat(access.findLink(team, "U1")).isEmpty();
    }

    @Test
    void a_forged_or_altered_state_is_refused() {
        String state = states.issue(team, "U1");
        String altered = "x" + state.substring(1);

        assertThat(get("/link/start", "state=" + enc(altered)).getBody()).contains("not one ChatOps made");
        assertThat(get("/link/start", "state=nonsense").getStatusCode()).isEqualTo(400);
        assertThat(get("/link/start", "").getStatusCode()).isEqualTo(400);
    }

    @Test
    void a_gitlab_account_already_linked_to_a_slack_user_is_refused_at_once() {
        long alice = gitlab.addUser("alice", true).id();
        access.link(Link.of(team, "U1", "ops", alice, "alice", clock.instant()));

        APIGatewayV2HTTPResponse page = callback(states.issue(team, "U2"),
                gitlab.authorize(MotoExtension.OAUTH_CLIENT_ID, CALLBACK, "alice"));

        assertThat(page.getStatusCode()).isEqualTo(400);
        assertThat(page.getBody()).contains("already linked to a Slack account").doesNotContain("/chatops run link ");
    }

    @Test
    void an_account_without_two_factor_authentication_is_not_linked_and_told_what_to_do() {
        gitlab.addUser("carol", false);

        APIGatewayV2HTTPResponse page = callback(states.issue(team, "U3"),
                gitlab.authorize(MotoExtension.OAUTH_CLIENT_ID, CALLBACK, "carol"));

        assertThat(page.getStatusCode()).isEqualTo(400);
        assertThat(page.getBody()).contains("Two-factor authentication needed", "/-/profile/two_factor_auth");
        assertThat(access.findLink(team, "U3")).isEmpty();
    }

    @Test
    void a_person_who_declines_on_gitlab_changes_nothing() {
        String state = states.issue(team, "U4");

        APIGatewayV2HTTPResponse page = get("/link/callback", "error=access_denied&state=" + enc(state));

        assertThat(page.getBody()).contains("did not authorise");
        assertThat(access.findLink(team, "U4")).isEmpty();
    }

    @Test
    void a_code_gitlab_refuses_is_a_clear_page_and_no_link() {
        gitlab.addUser("alice", true);

        APIGatewayV2HTTPResponse page = callback(states.issue(team, "U5"), "not-a-code");

        assertThat(page.getStatusCode()).isEqualTo(400);
        assertThat(page.getBody()).contains("GitLab refused the sign-in (HTTP ").doesNotContain(gitlab.baseUrl())
                .doesNotContainIgnoringCase("127.0.0.1");
        assertThat(access.findLink(team, "U5")).isEmpty();
    }

    @Test
    void before_the_oauth_application_is_registered_the_button_says_what_to_register_audits_and_changes_nothing(
            LocalAws aws) {
        // The first deploy: no GitLabOAuthClientId nor GitLabOAuthClientSecret yet (guided deploys type none).
        Map<String, String> env = aws.withParameters(
                        Map.of("GitLabOAuthClientId", "", "GitLabOAuthClientSecret", "none"))
                .functionEnvironment(
                        "LinkFunction",
                        Map.of(
                                RuntimeConfig.RESPONSE_URL_ALLOW,
                                "http://127.0.0.1",
                                "GITLAB_INSTANCES",
                                "ops=" + gitlab.baseUrl() + ",production=http://localhost:9",
                                "CHATOPS_PROJECT",
                                "ops/chatops"));
        assertThat(env).containsEntry(LinkFunction.OAUTH_CLIENT_ID, "").containsEntry(LinkFunction.OAUTH_SECRET_ID, "");
        Services services = new Services(
                Env.of(env),
                DynamoDbClient.builder()
                        .httpClient(UrlConnectionHttpClient.create())
                        .build(),
                clock,
                ResponseUrlClient.standard(RuntimeConfig.from(Env.of(env)).responseUrls()));
        LinkFunction unconfigured = new LinkFunction(services, Env.of(env));
        gitlab.addUser("alice", true);
        String state = states.issue(team, "U7");
        SecretsNotLogged.watch(state);

        APIGatewayV2HTTPResponse start = get(unconfigured, "/link/start", "state=" + enc(state));
        APIGatewayV2HTTPResponse callback = get(unconfigured, "/link/callback", "code=anything&state=" + enc(state));

        for (APIGatewayV2HTTPResponse page : List.of(start, callback)) {
            assertThat(page.getStatusCode()).isEqualTo(503);
            assertThat(page.getHeaders()).doesNotContainKey("location");
            assertThat(page.getBody()).contains("Linking is not configured yet", "nothing was changed",
                    "register a GitLab OAuth application on ops (" + gitlab.baseUrl() + ")", "redirect URI " + CALLBACK,
                    "scope read_user alone", "GitLabOAuthClientId, GitLabOAuthClientSecret");
        }
        assertThat(access.findLink(team, "U7")).isEmpty();
        assertThat(services.audit().recent(5, "U7", "link")).hasSize(2).allSatisfy(record ->
                assertThat(record.decision() + "/" + record.outcome()).isEqualTo("refused/linking not configured"));
        LinkState.Claims claims = states.verify(state).claims().orElseThrow();
        assertThat(access.consumeNonce(claims.nonce(), claims.expiresAt())).as("the state was not spent").isTrue();
    }

    @Test
    void a_forged_state_is_refused_as_such_even_before_linking_is_configured(LocalAws aws) {
        Map<String, String> env = aws.withParameters(Map.of("GitLabOAuthClientId", "", "GitLabOAuthClientSecret", ""))
                .functionEnvironment("LinkFunction", Map.of(RuntimeConfig.RESPONSE_URL_ALLOW, "http://127.0.0.1",
                        "GITLAB_INSTANCES", "ops=" + gitlab.baseUrl() + ",production=http://localhost:9"));
        Services services = new Services(
                Env.of(env),
                DynamoDbClient.builder()
                        .httpClient(UrlConnectionHttpClient.create())
                        .build(),
                clock,
                ResponseUrlClient.standard(RuntimeConfig.from(Env.of(env)).responseUrls()));
        LinkFunction unconfigured = new LinkFunction(services, Env.of(env));

        APIGatewayV2HTTPResponse page = get(unconfigured, "/link/start", "state=nonsense");

        assertThat(page.getStatusCode()).isEqualTo(400);
        assertThat(page.getBody()).contains("Cannot link").doesNotContain("redirect URI");
    }

    private APIGatewayV2HTTPResponse callback(String state, String code) {
        SecretsNotLogged.watch(code);
        SecretsNotLogged.watch(state);
        return get("/link/callback", "code=" + enc(code) + "&state=" + enc(state));
    }

    private APIGatewayV2HTTPResponse get(String path, String query) {
        return get(function, path, query);
    }

    private static APIGatewayV2HTTPResponse get(LinkFunction function, String path, String query) {
        APIGatewayV2HTTPEvent event = new APIGatewayV2HTTPEvent();
        event.setVersion("2.0");
        event.setRawPath(path);
        event.setRawQueryString(query);
        Map<String, String> headers = new HashMap<>();
        headers.put("host", HOST);
        headers.put("x-forwarded-proto", "https");
        event.setHeaders(headers);
        event.setRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder()
                .withRequestId(UUID.randomUUID().toString())
                .build());
        return function.handleRequest(event, new LocalLambdaContext("LinkFunction", Duration.ofSeconds(15)));
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
