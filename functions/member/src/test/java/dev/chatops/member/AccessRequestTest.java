package dev.chatops.member;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatops.shared.ClickRequest;
import dev.chatops.shared.CommandRequest;
import dev.chatops.shared.Env;
import dev.chatops.shared.access.Link;
import dev.chatops.shared.command.Catalog;
import dev.chatops.shared.command.Usage;
import dev.chatops.shared.runtime.CommandCall;
import dev.chatops.shared.runtime.Reply;
import dev.chatops.shared.runtime.ResponseUrlClient;
import dev.chatops.shared.runtime.RuntimeConfig;
import dev.chatops.shared.runtime.Services;
import dev.chatops.testing.CaptureServer;
import dev.chatops.testing.GitLabStandIn;
import dev.chatops.testing.LocalAws;
import dev.chatops.testing.LocalLambdaContext;
import dev.chatops.testing.MotoExtension;
import dev.chatops.testing.MutableClock;
import dev.chatops.testing.SecretsNotLogged;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * {@code access request}: the seed's "Requesting access" without a buddy. A person who cannot ask
 * yet hears which steps remain; one who can asks in the channel (and the approvers' channel), and
 * a maintainer or owner — never the requester, never for more than they have — approves it with a
 * button: the membership is added as the approver, for 90 days, and counts at once. Through
 * MemberFunction, on moto, with GitLab stand-ins for ops and production and a capture server for Slack.
 */
@ExtendWith({MotoExtension.class, SecretsNotLogged.class})
class AccessRequestTest {
    @RegisterExtension
    static final GitLabStandIn ops = new GitLabStandIn();
    @RegisterExtension
    static final GitLabStandIn production = new GitLabStandIn();
    @RegisterExtension
    static final CaptureServer slack = new CaptureServer();

    static final String WEBHOOK = "/services/T0/B0/access-requests";
    static final String BASE_URL = "https://chatops.example.com";

    private LocalAws aws;
    private MutableClock clock;
    private Services services;
    private MemberFunction function;
    private String team;
    private final Map<String, Long> ids = new LinkedHashMap<>();

    @BeforeEach
    void setUp(LocalAws aws) {
        this.aws = aws;
        for (GitLabStandIn gitlab : List.of(ops, production)) {
            gitlab.addAdminToken(MotoExtension.GITLAB_TOKEN);
            gitlab.addReadOnlyToken(MotoExtension.GITLAB_READ_TOKEN);
        }
        ops.addProject("ops/chatops");
        String webhookSecret = "access-webhook-" + UUID.randomUUID();
        try (SecretsManagerClient secrets = SecretsManagerClient.builder()
                .httpClient(UrlConnectionHttpClient.create()).build()) {
            secrets.createSecret(b -> b.name(webhookSecret).secretString(slack.url(WEBHOOK)));
        }
        clock = MutableClock.now();
        services = services(Map.of(AccessConfig.WEBHOOK_SECRET_ID, webhookSecret));
        function = new MemberFunction(services);
        team = "T" + UUID.randomUUID().toString().substring(0, 8);
        person("UADMIN", "admin", 50, true, true);
        person("UMAINT", "maint", 40, true, true);
        person("UDEV", "dev", 30, true, true);
        person("UNEW", "newbie", 0, true, true);
        person("UNEW2", "newbie2", 0, true, true);
        person("UNOFA", "nofa", 0, false, true);
        person("ULONE", "lonely", 0, true, false);
    }

    /** The template's MemberFunction with {@code overrides}, on this test's clock. */
    private Services services(Map<String, String> overrides) {
        Map<String, String> env = new LinkedHashMap<>(overrides);
        env.put(RuntimeConfig.RESPONSE_URL_ALLOW, "http://127.0.0.1");
        env.put("GITLAB_INSTANCES", "ops=" + ops.baseUrl() + ",production=" + production.baseUrl());
        env.put("CHATOPS_PROJECT", "ops/chatops");
        env.put("GITLAB_TIMEOUT_SECONDS", "2");
        Env functionEnv = Env.of(aws.functionEnvironment("MemberFunction", env));
        return new Services(functionEnv, DynamoDbClient.builder().httpClient(UrlConnectionHttpClient.create()).build(),
                clock, ResponseUrlClient.standard(RuntimeConfig.from(functionEnv).responseUrls()));
    }

    /**
     * A GitLab account on ops with {@code level} on the chatops project (0: none), linked to
     * {@code slackUser}, and its namesake on production when {@code twin}.
     */
    private void person(String slackUser, String username, int level, boolean twoFactor, boolean twin) {
        long id = ops.addUser(username, twoFactor).id();
        ids.put(username, id);
        if (level > 0) {
            ops.addMember("ops/chatops", username, level);
        }
        if (twin) {
            production.addUser(username, true);
        }
        services.access().link(Link.of(team, slackUser, "ops", id, username, Instant.now()));
    }

    // ------------------------------------------------------------------ who may ask

    @Test
    void a_person_not_linked_yet_hears_every_step_that_remains_and_gets_the_connect_button() {
        CaptureServer.Post answer = last(ask("USTRANGER", "developer", "On-call for the database team"));

        assertThat(answer.json()).containsEntry("response_type", "ephemeral");
        assertThat(text(answer)).contains(
                ":no_entry: <@USTRANGER>, you cannot ask for access yet: these steps of \"Requesting access\" remain. "
                        + "Nothing was asked.",
                ":x: Your Slack account is linked to your GitLab account on ops: sign in to " + ops.baseUrl()
                        + " with your production username, then link it with the button below",
                ":grey_question: An active account on ops (checked once you are linked)",
                ":grey_question: The same username on ops as on production (checked once you are linked)",
                ":grey_question: Two-factor authentication on ops (checked once you are linked)",
                "Do not forward it: it works once, for 10 minutes");
        assertThat(CaptureServer.buttonsOf(answer)).singleElement().satisfies(button -> {
            assertThat(button.text()).isEqualTo("Connect your GitLab account");
            assertThat(button.url()).startsWith(BASE_URL + "/link/start?state=");
        });
        assertNothingAsked();
    }

    @Test
    void a_linked_person_without_two_factor_hears_that_it_alone_remains() {
        String answer = text(last(ask("UNOFA", "developer", "On-call")));

        assertThat(answer).contains(
                ":white_check_mark: Your Slack account is linked to `nofa` on ops",
                ":white_check_mark: The account `nofa` is active on ops",
                ":white_check_mark: The same username, `nofa`, on production",
                ":x: Two-factor authentication on ops: turn it on at " + ops.baseUrl() + "/-/profile/two_factor_auth");
        assertThat(answer).doesNotContain(":x: Your Slack", ":grey_question:");
        assertNothingAsked();
    }

    @Test
    void a_person_without_the_same_username_on_production_or_blocked_hears_so() {
        String lonely = text(last(ask("ULONE", "developer", "On-call")));
        ops.block("newbie");
        String blocked = text(last(ask("UNEW", "developer", "On-call")));

        assertThat(lonely).contains(":white_check_mark: Two-factor authentication on ops",
                ":x: The same username on production: there is no `lonely` there; change your username on ops to your "
                        + "production one at " + ops.baseUrl() + "/-/profile/account, then unlink and link again");
        assertThat(blocked).contains(":x: The account `newbie` is active on ops: it is blocked there");
        assertNothingAsked();
    }

    @Test
    void a_request_without_a_reason_for_an_unknown_role_or_for_what_one_has_is_refused() {
        assertThat(text(last(ask("UNEW", "developer", null)))).contains(":warning: Say why you need it: "
                + "`--reason \"what you will do with developer access\"`", "Nothing was asked.");
        assertThat(text(last(ask("UNEW", "developer", "   ")))).contains("Say why you need it");
        assertThat(text(last(ask("UNEW", "developer", "x".repeat(301)))))
                .contains("Keep the reason to 300 characters; it has 301.");
        assertThat(text(last(ask("UNEW", "owner", "On-call"))))
                .contains("`--level` is one of guest, reporter, developer, maintainer; not `owner`.");
        assertThat(text(last(ask("UMAINT", "developer", "On-call"))))
                .contains("`maint` is already maintainer on `ops/chatops`: there is nothing to ask for.");
        assertThat(text(last(ask("UDEV", "maintainer", "Release manager"))))
                .contains("`dev` is already a member of `ops/chatops`, as developer. An access request adds a "
                        + "membership; it does not change one: ask a maintainer of `ops/chatops` to change it.");
        assertNothingAsked();
    }

    // ------------------------------------------------------------------ asking

    @Test
    void an_eligible_newcomer_asks_in_the_channel_and_the_approvers_channel_with_buttons() {
        Asked asked = request("UNEW", "developer", "On-call for the database team & <!channel>");

        assertThat(asked.post.json()).containsEntry("response_type", "in_channel");
        assertThat(text(asked.post)).contains(
                "<@UNEW> asks for a second person's approval to run `/chatops run access request",
                ":key: *Access request:* <@UNEW> (`newbie` on ops) asks for *developer* on `ops/chatops`, for 90 "
                        + "days from the approval.",
                "*Reason:* On-call for the database team &amp; &lt;!channel&gt;",
                "Approving adds the membership as you, through GitLab, which checks your own rights",
                "Anyone with maintainer or more on `ops/chatops`, other than <@UNEW>, may approve until <!date^",
                "(72 hours)").doesNotContain("<!channel>");
        List<CaptureServer.Button> buttons = CaptureServer.buttonsOf(asked.post);
        assertThat(buttons).extracting(CaptureServer.Button::actionId).containsExactly("access.approve", "access.deny");
        assertThat(buttons.get(0).confirmText())
                .contains("Approve this change?", "asked by <@UNEW> and approved by you");
        Map<String, AttributeValue> item = approval(asked);
        assertThat(item.get("command").s()).isEqualTo("access");
        assertThat(item.get("approverLevel").n()).isEqualTo("40");
        assertThat(item.get("requesterGitlabUsername").s()).isEqualTo("newbie");
        assertThat(Long.parseLong(item.get("expiresAt").n()) - Instant.parse(item.get("createdAt").s())
                .getEpochSecond()).isEqualTo(Duration.ofHours(72).toSeconds());
        CaptureServer.Post copy = last(slack.postsTo(WEBHOOK));
        assertThat(text(copy)).isEqualTo(text(asked.post));
        assertThat(CaptureServer.buttonsOf(copy)).isEqualTo(buttons);
        assertThat(ops.accessLevel("ops/chatops", "newbie")).isEmpty();
        assertThat(ops.recorded()).noneMatch(GitLabStandIn.Recorded::write);
    }

    @Test
    void a_webhook_secret_naming_anything_but_a_slack_url_gets_no_copy_and_the_request_stands() {
        // The allow-list here is http://127.0.0.1, any port: "localhost" is the same server, another origin.
        String elsewhere = slack.url(WEBHOOK).replace("127.0.0.1", "localhost");
        String webhookSecret = "access-webhook-" + UUID.randomUUID();
        try (SecretsManagerClient secrets = SecretsManagerClient.builder()
                .httpClient(UrlConnectionHttpClient.create()).build()) {
            secrets.createSecret(b -> b.name(webhookSecret).secretString(elsewhere));
        }
        function = new MemberFunction(services(Map.of(AccessConfig.WEBHOOK_SECRET_ID, webhookSecret)));

        Asked asked = request("UNEW", "developer", "On-call");

        assertThat(slack.posts()).as("nothing reached the server by another name")
                .noneMatch(post -> post.path().equals(WEBHOOK));
        assertThat(approval(asked).get("status").s()).isEqualTo("pending");
        assertThat(text(asked.post)).contains("<@UNEW> asks for a second person's approval");
        assertThat(CaptureServer.buttonsOf(asked.post)).extracting(CaptureServer.Button::actionId)
                .containsExactly("access.approve", "access.deny");
        // Decided, so that no other test's `access list` finds it waiting.
        assertThat(text(last(click("UMAINT", asked, "deny")))).contains("denied");
    }

    @Test
    void without_an_approvers_channel_or_when_it_fails_the_request_stands_in_the_requesters_channel() {
        slack.answerNextOn(WEBHOOK, CaptureServer.Answer.status(500));
        Asked failed = request("UNEW", "developer", "On-call");
        function = new MemberFunction(services(Map.of()));
        Asked plain = request("UNEW2", "reporter", "Reading incidents");

        assertThat(slack.postsTo(WEBHOOK)).hasSize(1);
        assertThat(approval(failed).get("status").s()).isEqualTo("pending");
        assertThat(approval(plain).get("status").s()).isEqualTo("pending");
    }

    // ------------------------------------------------------------------ deciding

    @Test
    void the_owner_approves_and_newbie_is_developer_for_90_days_added_as_the_owner_and_their_next_command_runs() {
        String before = text(last(run("UNEW", "member", List.of("list", "ops/chatops"), Map.of("ops", ""))));
        Asked asked = request("UNEW", "developer", "On-call for the database team");
        String until = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC).plusDays(90).toString();

        CaptureServer.Post outcome = last(click("UADMIN", asked, "approve"));

        assertThat(before).contains("You need developer on `ops/chatops`; you are not a member.");
        assertThat(outcome.json()).containsEntry("replace_original", true).containsEntry("response_type", "in_channel");
        assertThat(text(outcome)).contains(":white_check_mark: <@UNEW> (`newbie`) is now *developer* of "
                + "`ops/chatops` on ops until " + until + ", added by <@UADMIN> (`admin`) as themselves.",
                "Approved by <@UADMIN> (`admin`) for <@UNEW> (`newbie`)");
        assertThat(ops.accessLevel("ops/chatops", "newbie")).contains(30);
        assertThat(ops.expiresAt("ops/chatops", "newbie")).contains(until);
        assertThat(ops.recorded()).filteredOn(GitLabStandIn.Recorded::write).singleElement().satisfies(write -> {
            assertThat(write.method() + " " + write.path()).isEqualTo("POST /api/v4/projects/ops%2Fchatops/members");
            assertThat(write.sudo()).isEqualTo(String.valueOf(ids.get("admin")));
            assertThat(write.readOnlyToken()).isFalse();
            assertThat(write.body()).contains("\"expires_at\":\"" + until + "\"", "\"access_level\":30");
        });
        String after = text(last(run("UNEW", "member", List.of("list", "ops/chatops"), Map.of("ops", ""))));
        assertThat(after).contains("newbie", "(until " + until + ")").doesNotContain("You need developer");
        assertThat(approval(asked).get("status").s()).isEqualTo("approved");
    }

    @Test
    void only_an_owner_may_grant_maintainer_and_a_developer_or_the_requester_decide_nothing() {
        Asked asked = request("UNEW", "maintainer", "Release manager this quarter");

        String developer = text(last(click("UDEV", asked, "approve")));
        String maintainer = text(last(click("UMAINT", asked, "approve")));
        String requester = text(last(click("UNEW", asked, "approve")));
        assertThat(developer).contains("You need owner on `ops/chatops` to decide this change; you are "
                + "developer.", "Nothing was changed.");
        assertThat(maintainer).as("no maintainer makes another maintainer, a second approver of their own, alone")
                .contains("You need owner on `ops/chatops` to decide this change; you are maintainer.");
        assertThat(requester).contains("You asked for this change: a second person decides it.");
        assertThat(ops.accessLevel("ops/chatops", "newbie")).isEmpty();

        click("UADMIN", asked, "approve");

        assertThat(ops.accessLevel("ops/chatops", "newbie")).contains(40);
        assertThat(ops.recorded()).filteredOn(GitLabStandIn.Recorded::write).singleElement()
                .satisfies(write -> assertThat(write.sudo()).isEqualTo(String.valueOf(ids.get("admin"))));
    }

    @Test
    void gitlab_refusing_the_approver_says_it_was_their_own_rights_and_nothing_was_changed() {
        Asked asked = request("UNEW", "developer", "On-call");
        ops.failNext("POST /api/v4/projects/ops%2Fchatops/members", 403, 1);

        String outcome = text(last(click("UMAINT", asked, "approve")));

        assertThat(outcome).contains(":x: GitLab on ops refused it as <@UMAINT> (`maint`), who approved it (403): "
                + "their own rights on `ops/chatops` do not allow giving developer. Nothing was changed");
        assertThat(ops.accessLevel("ops/chatops", "newbie")).isEmpty();
    }

    @Test
    void a_denial_or_an_expired_request_changes_nothing() {
        Asked denied = request("UNEW", "developer", "On-call");
        Asked expired = request("UNEW2", "developer", "On-call");

        String denial = text(last(click("UMAINT", denied, "deny")));
        String late = text(last(click("UADMIN", denied, "approve")));
        clock.advance(Duration.ofHours(72));
        String tooLate = text(last(click("UADMIN", expired, "approve")));

        assertThat(denial).contains("<@UMAINT> denied <@UNEW>'s `/chatops run access request", "Nothing was changed.");
        assertThat(late).contains("This request was already denied by <@UMAINT>");
        assertThat(tooLate).contains("This request expired at <!date^", "<@UNEW2> can ask again.");
        assertThat(ops.accessLevel("ops/chatops", "newbie")).isEmpty();
        assertThat(ops.accessLevel("ops/chatops", "newbie2")).isEmpty();
        assertThat(ops.recorded()).noneMatch(GitLabStandIn.Recorded::write);
    }

    @Test
    void the_steps_are_read_again_when_approved_and_one_lost_meanwhile_grants_nothing() {
        Asked asked = request("UNEW", "developer", "On-call");
        ops.setTwoFactor("newbie", false);

        String outcome = text(last(click("UMAINT", asked, "approve")));

        assertThat(outcome).contains(":no_entry: <@UNEW>'s access cannot be granted now: these steps of \"Requesting "
                + "access\" no longer hold. Nothing was changed.", ":x: Two-factor authentication on ops",
                "Approved by <@UMAINT> (`maint`) for <@UNEW> (`newbie`)");
        assertThat(ops.accessLevel("ops/chatops", "newbie")).isEmpty();
        assertThat(ops.recorded()).noneMatch(GitLabStandIn.Recorded::write);
        assertThat(text(last(click("UADMIN", asked, "approve")))).contains("already approved by <@UMAINT>");
    }

    @Test
    void the_work_itself_grants_nothing_without_an_approval() {
        CommandRequest request = request("UNEW", "access", List.of("request"), Map.of("reason", "On-call"), "/r/x");
        CommandCall call = new CommandCall(request, Usage.resolve(Catalog.ACCESS, request.args(), request.options()),
                markdown -> { }, Optional.empty(), clock.instant().plusSeconds(30), clock);

        Reply reply = AccessCommand.of(services).handlers().get("request").handle(call);

        assertThat(reply.outcome()).isEqualTo(Reply.Outcome.REFUSED);
        assertThat(reply.messages().get(0).text()).contains("Access is granted only once a maintainer approves the "
                + "request, and this one was not approved. Nothing was changed.");
        assertThat(ops.accessLevel("ops/chatops", "newbie")).isEmpty();
        assertThat(ops.recorded()).noneMatch(GitLabStandIn.Recorded::write);
    }

    // ------------------------------------------------------------------ listing

    @Test
    void access_list_shows_maintainers_the_pending_requests_and_refuses_developers() {
        Asked first = request("UNEW", "developer", "On-call for the database team");
        clock.advance(Duration.ofMinutes(5));
        Asked second = request("UNEW2", "reporter", "Reading incidents");
        Asked refused = request("UNOFA", "developer", "On-call");

        String list = text(last(run("UMAINT", "access", List.of("list"), Map.of())));
        click("UADMIN", first, "approve");
        String after = text(last(run("UMAINT", "access", List.of("list"), Map.of())));
        String developer = text(last(run("UDEV", "access", List.of("list"), Map.of())));

        assertThat(refused).as("without 2FA nothing is asked, so nothing is listed").isNull();
        assertThat(list).contains("*2 access requests to `ops/chatops` waiting for approval*, oldest first:",
                "• <@UNEW> (`newbie`) asks for *developer* — asked <!date^", "— request `" + first.requestId + "`",
                "_Reason:_ On-call for the database team", "• <@UNEW2> (`newbie2`) asks for *reporter*",
                "_Reason:_ Reading incidents");
        assertThat(list.indexOf("<@UNEW>")).isLessThan(list.indexOf("<@UNEW2>"));
        assertThat(after).contains("*1 access request to `ops/chatops`", "— request `" + second.requestId + "`")
                .doesNotContain("<@UNEW> ");
        assertThat(developer).contains("You need maintainer on `ops/chatops`; you are developer.");
        clock.advance(Duration.ofHours(72));
        assertThat(text(last(run("UMAINT", "access", List.of("list"), Map.of()))))
                .contains("No access request to `ops/chatops` is waiting for approval.");
    }

    // ------------------------------------------------------------------ helpers

    private record Asked(CaptureServer.Post post, String requestId, String id) {
    }

    /** {@code access request} by {@code user}, which must be asked: its message with buttons; null if refused. */
    private Asked request(String user, String level, String reason) {
        Map<String, String> options = options(level, reason);
        CommandRequest request = request(user, "access", List.of("request"), options, "/r/" + UUID.randomUUID());
        invoke(request.toJson());
        CaptureServer.Post post = last(slack.postsTo(path(request)));
        List<CaptureServer.Button> buttons = CaptureServer.buttonsOf(post);
        return buttons.isEmpty() || buttons.get(0).value() == null ? null
                : new Asked(post, request.requestId(), buttons.get(0).value());
    }

    private List<CaptureServer.Post> ask(String user, String level, String reason) {
        return run(user, "access", List.of("request"), options(level, reason));
    }

    private static Map<String, String> options(String level, String reason) {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("level", level);
        if (reason != null) {
            options.put("reason", reason);
        }
        return options;
    }

    private List<CaptureServer.Post> click(String user, Asked asked, String action) {
        String path = "/c/" + UUID.randomUUID();
        invoke(new ClickRequest("cl-" + UUID.randomUUID(), team, "", user, user.toLowerCase(), "C1", "access",
                action, asked.id, slack.url(path), clock.instant()).toJson());
        List<CaptureServer.Post> posts = slack.postsTo(path);
        assertThat(posts).as("answers to the click").isNotEmpty();
        return posts;
    }

    private List<CaptureServer.Post> run(String user, String command, List<String> args, Map<String, String> options) {
        CommandRequest request = request(user, command, args, options, "/r/" + UUID.randomUUID());
        invoke(request.toJson());
        List<CaptureServer.Post> posts = slack.postsTo(path(request));
        assertThat(posts).as(request.text()).isNotEmpty();
        return posts;
    }

    private CommandRequest request(String user, String command, List<String> args, Map<String, String> options,
                                   String path) {
        Map<String, String> given = new LinkedHashMap<>(options);
        given.replaceAll((name, value) -> value.isEmpty() ? null : value);
        StringBuilder text = new StringBuilder(String.join(" ", args));
        given.forEach((name, value) -> text.append(" --").append(name).append(value == null ? "" : "=\"" + value
                + "\""));
        return new CommandRequest(UUID.randomUUID().toString(), team, "", user, user.toLowerCase(), "C1", "general",
                "/chatops", command, args, given, text.toString(), slack.url(path), clock.instant(), BASE_URL);
    }

    private static String path(CommandRequest request) {
        return request.responseUrl().substring(request.responseUrl().indexOf("/r/"));
    }

    private void invoke(String json) {
        try {
            function.handleRequest(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)),
                    new ByteArrayOutputStream(), new LocalLambdaContext("MemberFunction", Duration.ofSeconds(60)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void assertNothingAsked() {
        assertThat(approvals()).isEmpty();
        assertThat(slack.postsTo(WEBHOOK)).isEmpty();
    }

    private Map<String, AttributeValue> approval(Asked asked) {
        return approvals().stream().filter(i -> i.get("pk").s().equals("access#" + asked.id)).findFirst()
                .orElseThrow();
    }

    private List<Map<String, AttributeValue>> approvals() {
        try (DynamoDbClient dynamo = DynamoDbClient.builder().httpClient(UrlConnectionHttpClient.create()).build()) {
            return dynamo.scan(b -> b.tableName(aws.ref("ApprovalsTable"))).items().stream()
                    .filter(i -> i.get("request").s().contains("\"teamId\":\"" + team + "\"")).toList();
        }
    }

    private static CaptureServer.Post last(List<CaptureServer.Post> posts) {
        return posts.get(posts.size() - 1);
    }

    private static String text(CaptureServer.Post post) {
        return CaptureServer.textOf(post);
    }
}
