package dev.chatops.user;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatops.shared.CommandRequest;
import dev.chatops.shared.Env;
import dev.chatops.shared.Redactor;
import dev.chatops.shared.access.AccessStore;
import dev.chatops.shared.access.Link;
import dev.chatops.shared.runtime.AuditLog;
import dev.chatops.shared.runtime.ResponseUrlClient;
import dev.chatops.shared.runtime.RuntimeConfig;
import dev.chatops.shared.runtime.Services;
import dev.chatops.testing.CaptureServer;
import dev.chatops.testing.DynamoDbProxy;
import dev.chatops.testing.GitLabStandIn;
import dev.chatops.testing.LocalAws;
import dev.chatops.testing.LocalLambdaContext;
import dev.chatops.testing.MotoExtension;
import dev.chatops.testing.MotoServer;
import dev.chatops.testing.SecretsNotLogged;
import dev.chatops.testing.SerializedDynamoDb;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * {@code user find}, {@code link}, {@code unlink} and {@code audit} through UserFunction, with
 * GitLab stand-ins for ops and production.
 */
@ExtendWith({MotoExtension.class, SecretsNotLogged.class})
class UserCommandsTest {
    @RegisterExtension
    static final GitLabStandIn ops = new GitLabStandIn();
    @RegisterExtension
    static final GitLabStandIn production = new GitLabStandIn();
    @RegisterExtension
    static final CaptureServer slack = new CaptureServer();

    private Env env;
    private UserFunction function;
    private AccessStore access;
    private AuditLog audit;
    private String team;
    private long bob;

    @BeforeEach
    void setUp(LocalAws aws) {
        for (GitLabStandIn gitlab : List.of(ops, production)) {
            gitlab.addAdminToken(MotoExtension.GITLAB_TOKEN);
            gitlab.addReadOnlyToken(MotoExtension.GITLAB_READ_TOKEN);
        }
        ops.addProject("ops/chatops");
        long boss = ops.addUser("boss", true).id();
        ops.addMember("ops/chatops", "boss", 40);
        bob = ops.addUser("bob", true).id();
        ops.addMember("ops/chatops", "bob", 30);
        ops.addUser("carol", false);
        production.addUser("bob", true);
        production.addUser("boss", true);
        env = Env.of(aws.functionEnvironment("UserFunction", Map.of(
                RuntimeConfig.RESPONSE_URL_ALLOW, "http://127.0.0.1",
                "GITLAB_INSTANCES", "ops=" + ops.baseUrl() + ",production=" + production.baseUrl(),
                "CHATOPS_PROJECT", "ops/chatops")));
        Services services = Services.fromEnvironment(env);
        function = new UserFunction(services);
        access = services.access();
        audit = services.audit();
        team = "T" + UUID.randomUUID().toString().substring(0, 8);
        access.link(Link.of(team, "UBOSS", "ops", boss, "boss", Instant.now()));
        access.link(Link.of(team, "UBOB", "ops", bob, "bob", Instant.now()));
    }

    @Test
    void user_find_gives_the_account_its_link_its_role_and_a_complete_checklist() throws IOException {
        String found = run("UBOB", "user", List.of("find", "bob"), Map.of());

        assertThat(found).contains("`bob` (id " + bob + ")", "<@UBOB>", "developer", "Checklist",
                ":white_check_mark: An account on ops", ":white_check_mark: The same username on production",
                ":white_check_mark: Slack account linked", ":white_check_mark: Two-factor authentication",
                ":white_check_mark: Developer or more on `ops/chatops`");
    }

    @Test
    void user_find_lists_what_a_newcomer_still_needs_in_the_order_of_requesting_access() throws IOException {
        String found = run("UBOSS", "user", List.of("find", "carol"), Map.of());

        assertThat(found).contains(":white_large_square: The same username on production: no `carol` there",
                ":white_large_square: Slack account linked", ":white_large_square: Two-factor authentication",
                "member add carol ops/chatops --ops");
        String checklist = found.substring(found.indexOf("Checklist"));
        assertThat(checklist.indexOf("An account on ops")).isLessThan(checklist.indexOf("same username"));
        assertThat(checklist.indexOf("same username")).isLessThan(checklist.indexOf("Slack account linked"));
        assertThat(checklist.indexOf("Slack account linked")).isLessThan(checklist.indexOf("Two-factor"));
        assertThat(checklist.indexOf("Two-factor")).isLessThan(checklist.indexOf("Developer or more"));
    }

    @Test
    void user_find_shows_an_email_only_to_its_owner_and_to_maintainers() throws IOException {
        String email = ops.user("bob").orElseThrow().email();

        assertThat(run("UBOB", "user", List.of("find", "bob"), Map.of())).contains(email);
        assertThat(run("UBOSS", "user", List.of("find", "bob"), Map.of())).contains(email);
        assertThat(run("UNEW", "user", List.of("find", "bob"), Map.of())).doesNotContain(email);
    }

    @Test
    void to_anyone_else_user_find_tells_only_what_a_newcomer_needs_and_no_email_lookup() throws IOException {
        String found = run("UNEW", "user", List.of("find", "carol"), Map.of());

        assertThat(found).contains("`carol`", "not a member", ":white_large_square: Slack account linked",
                "checked when you link").doesNotContain("(id ", "off", "Last active");
        assertThat(run("UNEW", "user", List.of("find", ops.user("bob").orElseThrow().email()), Map.of()))
                .contains(":no_entry:", "by email is for maintainers");
        assertThat(run("UBOSS", "user", List.of("find", ops.user("bob").orElseThrow().email()), Map.of()))
                .contains("`bob` (id " + bob + ")");
    }

    @Test
    void user_find_says_plainly_when_there_is_no_such_account() throws IOException {
        assertThat(run("UNEW", "user", List.of("find", "nobody"), Map.of()))
                .contains("No account `nobody` on ops", "Sign in to");
        assertThat(run("UNEW", "user", List.of("find", "nobody"), options("production")))
                .contains("No account `nobody` on production");
    }

    @Test
    void link_with_the_code_from_the_linking_page_links_whoever_types_it_once() throws IOException {
        long dana = ops.addUser("dana", true).id();
        ops.addMember("ops/chatops", "dana", 40);
        String code = hold(dana, "dana", 0);

        assertThat(link(function, "UDANA", code.toLowerCase())).contains(
                ":white_check_mark: Your Slack account is now linked to the GitLab account `dana` on ops.",
                "Your role on `ops/chatops` is maintainer.");
        assertThat(access.findLink(team, "UDANA"))
                .hasValueSatisfying(link -> assertThat(link.gitlabUserId()).isEqualTo(dana));
        assertThat(link(function, "UOTHER", code))
                .contains(
                        ":warning: That code is unknown, used or expired (codes last 10 minutes).",
                        "Run `/chatops run whoami` for a new Connect button.");
        assertThat(access.findLink(team, "UOTHER")).isEmpty();
    }

    @Test
    void link_refuses_expired_codes_and_accounts_already_linked() throws IOException {
        long erin = ops.addUser("erin", true).id();
        String expired = access.holdPending(new AccessStore.Pending("ops", erin, "erin", 30, Instant.now()),
                Instant.now().minusSeconds(1));
        String taken = hold(bob, "bob", 30);

        assertThat(link(function, "UERIN", expired)).contains("unknown, used or expired");
        assertThat(link(function, "UMALLORY", taken)).contains(
                ":no_entry: The GitLab account `bob` is already linked to another Slack account. Nothing was changed.");
        assertThat(link(function, "UBOB", "ABCD-EFGH")).contains(
                ":information_source: Your Slack account is already linked to `bob`. Run `/chatops run unlink` first");
        assertThat(access.findLink(team, "UMALLORY")).isEmpty();
        assertThat(access.findLink(team, "UERIN")).isEmpty();
    }

    @Test
    void a_code_refused_because_its_account_is_linked_elsewhere_still_links_once_that_link_is_gone()
            throws IOException {
        String code = hold(bob, "bob", 30);

        assertThat(link(function, "UBOBNEW", code)).contains("`bob` is already linked to another Slack account");
        assertThat(access.pending(code, Instant.now())).as("the refused link did not spend the code").isPresent();
        run("UBOB", "unlink", List.of(), Map.of());

        assertThat(link(function, "UBOBNEW", code)).contains("now linked to the GitLab account `bob`", "is developer.");
        assertThat(access.slackUserOf("ops", bob))
                .hasValueSatisfying(slack -> assertThat(slack[1]).isEqualTo("UBOBNEW"));
    }

    @Test
    void a_person_linked_already_keeps_their_code_for_after_unlink() throws IOException {
        long hank = ops.addUser("hank", true).id();
        String code = hold(hank, "hank", 0);

        assertThat(link(function, "UBOB", code)).contains("already linked to `bob`");
        run("UBOB", "unlink", List.of(), Map.of());

        assertThat(link(function, "UBOB", code))
                .contains(
                        "now linked to the GitLab account `hank` on ops.",
                        "You are not a member of `ops/chatops` yet: ask a maintainer to run `/chatops run member add"
                                + " hank ops/chatops --ops`.");
    }

    @Test
    void a_used_code_cannot_be_used_again_even_by_its_owner_after_unlinking() throws IOException {
        long gail = ops.addUser("gail", true).id();
        String code = hold(gail, "gail", 30);
        assertThat(link(function, "UGAIL", code)).contains("now linked to the GitLab account `gail`");
        assertThat(run("UGAIL", "unlink", List.of(), Map.of())).contains("no longer linked to `gail`");

        assertThat(link(function, "UGAIL", code)).contains("unknown, used or expired");
        assertThat(access.findLink(team, "UGAIL")).isEmpty();
        assertThat(access.slackUserOf("ops", gail)).isEmpty();
    }

    @Test
    void when_the_store_refuses_the_link_nothing_changes_the_person_is_told_so_and_the_same_code_links_later(
            MotoServer moto) throws IOException {
        long frank = ops.addUser("frank", true).id();
        String code = hold(frank, "frank", 30);
        CommandRequest request = request("UFRANK", "link", List.of(code));
        String seen;
        try (DynamoDbProxy proxy = new DynamoDbProxy(moto.endpoint())) {
            // As AWS answers a role without dynamodb:PutItem on the access table: the transaction's Puts
            // are authorised one by one.
            proxy.denyNext("TransactWriteItems", "dynamodb:PutItem", env.require(RuntimeConfig.ACCESS_TABLE), 1);
            seen = link(
                    new UserFunction(servicesOn(DynamoDbClient.builder()
                            .httpClient(UrlConnectionHttpClient.create())
                            .endpointOverride(URI.create(proxy.endpoint()))
                            .build())),
                    request,
                    code);
        }

        assertThat(seen).contains(":x: Linking failed: ChatOps could not store the link, so nothing was changed.",
                "Your code still works until it expires, 10 minutes after the linking page showed it",
                "Request id: `" + request.requestId() + "`.")
                .doesNotContain("Exception", "AccessDenied", "dynamodb:", "arn:", "at dev.");
        assertThat(access.findLink(team, "UFRANK")).isEmpty();
        assertThat(access.slackUserOf("ops", frank)).isEmpty();
        assertThat(audit.recent(5, "UFRANK", "link")).singleElement().satisfies(record -> {
            assertThat(record.decision() + "/" + record.outcome()).isEqualTo("allowed/error");
            assertThat(record.arguments())
                    .as("a code that still works is no one else's to read")
                    .isEqualTo(Redactor.MASK);
        });

        assertThat(link(function, "UFRANK", code)).contains("now linked to the GitLab account `frank`");
        assertThat(run("UBOSS", "audit", List.of(), Map.of("user", "UFRANK"))).contains("link [redacted]")
                .doesNotContain(code);
    }

    @Test
    void before_the_oauth_application_is_registered_link_says_what_to_register_and_changes_nothing(LocalAws aws)
            throws IOException {
        long ivan = ops.addUser("ivan", true).id();
        String code = hold(ivan, "ivan", 30);
        // The first deploy: no GitLabOAuthClientId nor GitLabOAuthClientSecret yet.
        Env firstDeploy = Env.of(aws.withParameters(Map.of("GitLabOAuthClientId", "", "GitLabOAuthClientSecret", ""))
                .functionEnvironment("UserFunction", Map.of(RuntimeConfig.RESPONSE_URL_ALLOW, "http://127.0.0.1",
                        "GITLAB_INSTANCES", "ops=" + ops.baseUrl() + ",production=" + production.baseUrl(),
                        "CHATOPS_PROJECT", "ops/chatops")));
        assertThat(firstDeploy.optional(UserFunction.OAUTH_CLIENT_ID)).isEmpty();
        UserFunction unconfigured = new UserFunction(Services.fromEnvironment(firstDeploy));
        CommandRequest request = new CommandRequest(
                UUID.randomUUID().toString(),
                team,
                "",
                "UIVAN",
                "ivan",
                "C1",
                "ops",
                "/chatops",
                "link",
                List.of(code),
                Map.of(),
                code,
                slack.url("/r/" + UUID.randomUUID()),
                Instant.now(),
                "https://abc123.execute-api.us-east-1.amazonaws.com");

        assertThat(link(unconfigured, request, code)).contains(
                ":construction: Linking is not configured yet, so nothing was changed",
                "register a GitLab OAuth application on ops with the redirect URI "
                        + "`https://abc123.execute-api.us-east-1.amazonaws.com/link/callback`",
                "the scope `read_user`", "`GitLabOAuthClientId`, `GitLabOAuthClientSecret`");
        assertThat(access.findLink(team, "UIVAN")).isEmpty();
        assertThat(access.slackUserOf("ops", ivan)).isEmpty();
        assertThat(access.pending(code, Instant.now())).as("the code is not spent").isPresent();
        assertThat(audit.recent(5, "UIVAN", "link"))
                .singleElement()
                .satisfies(record ->
                        assertThat(record.decision() + "/" + record.outcome()).isEqualTo("allowed/refused"));
    }

    @Test
    void two_concurrent_link_commands_with_one_code_link_exactly_once() throws Exception {
        // Two Lambda containers, their DynamoDB requests ordered as DynamoDB orders them (see SerializedDynamoDb).
        List<UserFunction> containers = List.of(new UserFunction(servicesOn(SerializedDynamoDb.client())),
                new UserFunction(servicesOn(SerializedDynamoDb.client())));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int r = 0; r < 10; r++) {
                String racer = "racer" + r;
                String code = hold(ops.addUser(racer, true).id(), racer, 30);
                List<String> users = List.of("URA" + r, "URB" + r);
                CountDownLatch start = new CountDownLatch(1);
                List<CompletableFuture<String>> replies = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    UserFunction container = containers.get(i);
                    String user = users.get(i);
                    replies.add(CompletableFuture.supplyAsync(() -> {
                        try {
                            start.await();
                            return link(container, user, code);
                        } catch (IOException | InterruptedException e) {
                            throw new IllegalStateException(e);
                        }
                    }, pool));
                }
                start.countDown();
                List<String> seen = replies.stream().map(CompletableFuture::join).toList();

                assertThat(seen)
                        .as(racer)
                        .filteredOn(t -> t.contains("now linked to the GitLab account `" + racer + "`"))
                        .hasSize(1);
                assertThat(seen).as(racer).filteredOn(t -> t.contains("unknown, used or expired")).hasSize(1);
                assertThat(users.stream()
                                .filter(u -> access.findLink(team, u).isPresent())
                                .count())
                        .as(racer)
                        .isEqualTo(1);
                assertThat(access.pending(code, Instant.now())).as(racer).isEmpty();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void unlink_removes_only_the_callers_own_link() throws IOException {
        assertThat(run("UBOB", "unlink", List.of(), Map.of())).contains("no longer linked to `bob`");
        assertThat(access.findLink(team, "UBOB")).isEmpty();
        assertThat(access.findLink(team, "UBOSS")).isPresent();
        assertThat(access.slackUserOf("ops", bob)).isEmpty();
        assertThat(run("UBOB", "unlink", List.of(), Map.of())).contains("was not linked");
    }

    @Test
    void audit_lists_the_latest_attempts_newest_first_for_maintainers_only() throws IOException {
        run("UBOB", "whoami", List.of(), Map.of());
        run("UNEW", "user", List.of("find", "bob"), Map.of());

        String audit = run("UBOSS", "audit", List.of(), Map.of("command", "user", "limit", "5"));

        assertThat(audit).contains("user find bob", "UNEW").doesNotContain("whoami");
        assertThat(run("UBOSS", "audit", List.of(), Map.of("limit", "500")))
                .contains("`--limit` is a number from 1 to 50");
        assertThat(run("UBOB", "audit", List.of(), Map.of())).contains(":no_entry:", "You need maintainer");
    }

    @Test
    void audit_shows_another_persons_arguments_as_typed_never_as_a_mention_or_a_link() throws IOException {
        run("UNEW", "user", List.of("find", "<!channel>"), Map.of());
        run("UNEW", "user", List.of("find", "<https://evil.example|click>"), Map.of());
        run("UNEW", "user", List.of("find", "a&b"), Map.of());

        String audit = run("UBOSS", "audit", List.of(), Map.of("command", "user", "limit", "5"));

        assertThat(audit).contains("user find &lt;!channel&gt;", "user find &lt;https://evil.example|click&gt;",
                "user find a&amp;b").doesNotContain("<!channel>", "<https://evil", "a&b");
        // Padded by what was typed: as Slack shows them, the columns after the arguments line up.
        List<String> rows = audit.lines().map(l -> l.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))
                .filter(l -> l.contains("user find <") || l.contains("user find a&b")).toList();
        assertThat(rows).hasSize(3);
        assertThat(rows.stream().map(r -> r.indexOf(' ', r.indexOf("user find") + 40)).distinct()).hasSize(1);
    }

    private static Map<String, String> options(String flag) {
        Map<String, String> options = new LinkedHashMap<>();
        options.put(flag, null);
        return options;
    }

    private String run(String userId, String command, List<String> args, Map<String, String> options)
            throws IOException {
        return CaptureServer.textOf(post(function, request(userId, command, args, options)));
    }

    /** A code held for a GitLab account, as the linking page shows it, for 10 minutes. */
    private String hold(long gitlabUserId, String username, int accessLevel) {
        String code = access.holdPending(
                new AccessStore.Pending("ops", gitlabUserId, username, accessLevel, Instant.now()),
                Instant.now().plusSeconds(600));
        SecretsNotLogged.watch(code);
        return code;
    }

    private String link(UserFunction through, String userId, String code) throws IOException {
        return link(through, request(userId, "link", List.of(code)), code);
    }

    /**
     * Everything Slack shows of the answer to {@code link}: its notification text and each text of
     * its blocks, which are plain sections (no button) for the caller alone, and never the code.
     */
    private static String link(UserFunction through, CommandRequest request, String code) throws IOException {
        CaptureServer.Post post = post(through, request);
        Map<String, Object> json = post.json();
        assertThat(json).containsEntry("response_type", "ephemeral");
        List<String> types = ((List<?>) json.get("blocks"))
                .stream()
                        .map(block -> String.valueOf(((Map<?, ?>) block).get("type")))
                        .toList();
        assertThat(types).isNotEmpty().containsOnly("section");
        String seen = json.get("text") + "\n" + CaptureServer.textOf(post);
        assertThat(seen.toUpperCase(Locale.ROOT).replace("-", ""))
                .doesNotContain(code.toUpperCase(Locale.ROOT).replace("-", "").replace(" ", ""));
        return seen;
    }

    private Services servicesOn(DynamoDbClient dynamo) {
        return new Services(
                env,
                dynamo,
                Clock.systemUTC(),
                ResponseUrlClient.standard(RuntimeConfig.from(env).responseUrls()));
    }

    private CommandRequest request(String userId, String command, List<String> args) {
        return request(userId, command, args, Map.of());
    }

    private CommandRequest request(String userId, String command, List<String> args, Map<String, String> options) {
        return new CommandRequest(
                UUID.randomUUID().toString(),
                team,
                "",
                userId,
                "someone",
                "C1",
                "ops",
                "/chatops",
                command,
                args,
                options,
                String.join(" ", args),
                slack.url("/r/" + UUID.randomUUID()),
                Instant.now());
    }

    private static CaptureServer.Post post(UserFunction through, CommandRequest request) throws IOException {
        through.handleRequest(new ByteArrayInputStream(request.toJson().getBytes(StandardCharsets.UTF_8)),
                new ByteArrayOutputStream(), new LocalLambdaContext("UserFunction", Duration.ofSeconds(30)));
        List<CaptureServer.Post> posts = slack.postsTo(URI.create(request.responseUrl()).getPath());
        assertThat(posts).hasSize(1);
        return posts.get(0);
    }
}
