package dev.chatops.user;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatops.shared.CommandRequest;
import dev.chatops.shared.Env;
import dev.chatops.shared.access.AccessStore;
import dev.chatops.shared.access.Link;
import dev.chatops.shared.runtime.RuntimeConfig;
import dev.chatops.shared.runtime.Services;
import dev.chatops.testing.CaptureServer;
import dev.chatops.testing.GitLabStandIn;
import dev.chatops.testing.LocalAws;
import dev.chatops.testing.LocalLambdaContext;
import dev.chatops.testing.MotoExtension;
import dev.chatops.testing.SecretsNotLogged;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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

/** {@code user find}, {@code unlink} and {@code audit} through UserFunction, with GitLab stand-ins for ops and production. */
@ExtendWith({MotoExtension.class, SecretsNotLogged.class})
class UserCommandsTest {
    @RegisterExtension
    static final GitLabStandIn ops = new GitLabStandIn();
    @RegisterExtension
    static final GitLabStandIn production = new GitLabStandIn();
    @RegisterExtension
    static final CaptureServer slack = new CaptureServer();

    private UserFunction function;
    private AccessStore access;
    private String team;
    private long bob;

    @BeforeEach
    void setUp(LocalAws aws) {
        for (GitLabStandIn gitlab : List.of(ops, production)) {
            gitlab.addAdminToken(MotoExtension.GITLAB_TOKEN);
        }
        ops.addProject("ops/chatops");
        long boss = ops.addUser("boss", true).id();
        ops.addMember("ops/chatops", "boss", 40);
        bob = ops.addUser("bob", true).id();
        ops.addMember("ops/chatops", "bob", 30);
        ops.addUser("carol", false);
        production.addUser("bob", true);
        production.addUser("boss", true);
        Services services = Services.fromEnvironment(Env.of(aws.functionEnvironment("UserFunction", Map.of(
                RuntimeConfig.RESPONSE_URL_ALLOW, "http://127.0.0.1",
                "GITLAB_INSTANCES", "ops=" + ops.baseUrl() + ",production=" + production.baseUrl(),
                "CHATOPS_PROJECT", "ops/chatops"))));
        function = new UserFunction(services);
        access = services.access();
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
        assertThat(run("UNEW", "user", List.of("find", "nobody"), Map.of())).contains("No account `nobody` on ops", "Sign in to");
        assertThat(run("UNEW", "user", List.of("find", "nobody"), options("production"))).contains("No account `nobody` on production");
    }

    @Test
    void link_with_the_code_from_the_linking_page_links_whoever_types_it_once() throws IOException {
        long dana = ops.addUser("dana", true).id();
        String code = access.holdPending(new AccessStore.Pending("ops", dana, "dana", 40, Instant.now()),
                Instant.now().plusSeconds(600));

        assertThat(run("UDANA", "link", List.of(code.toLowerCase()), Map.of())).contains("now linked to the GitLab account `dana`",
                "maintainer");
        assertThat(access.findLink(team, "UDANA")).hasValueSatisfying(link -> assertThat(link.gitlabUserId()).isEqualTo(dana));
        assertThat(run("UOTHER", "link", List.of(code), Map.of())).contains("unknown, used or expired");
        assertThat(access.findLink(team, "UOTHER")).isEmpty();
    }

    @Test
    void link_refuses_expired_codes_and_accounts_already_linked() throws IOException {
        long erin = ops.addUser("erin", true).id();
        String expired = access.holdPending(new AccessStore.Pending("ops", erin, "erin", 30, Instant.now()),
                Instant.now().minusSeconds(1));
        String taken = access.holdPending(new AccessStore.Pending("ops", bob, "bob", 30, Instant.now()),
                Instant.now().plusSeconds(600));

        assertThat(run("UERIN", "link", List.of(expired), Map.of())).contains("unknown, used or expired");
        assertThat(run("UMALLORY", "link", List.of(taken), Map.of())).contains("already linked to another Slack account");
        assertThat(run("UBOB", "link", List.of("ABCD-EFGH"), Map.of())).contains("already linked to `bob`");
        assertThat(access.findLink(team, "UMALLORY")).isEmpty();
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
        assertThat(run("UBOSS", "audit", List.of(), Map.of("limit", "500"))).contains("`--limit` is a number from 1 to 50");
        assertThat(run("UBOB", "audit", List.of(), Map.of())).contains(":no_entry:", "You need maintainer");
    }

    private static Map<String, String> options(String flag) {
        Map<String, String> options = new LinkedHashMap<>();
        options.put(flag, null);
        return options;
    }

    private String run(String userId, String command, List<String> args, Map<String, String> options) throws IOException {
        String path = "/r/" + UUID.randomUUID();
        CommandRequest request = new CommandRequest(UUID.randomUUID().toString(), team, "", userId, "someone", "C1", "ops",
                "/chatops", command, args, options, String.join(" ", args), slack.url(path), Instant.now());
        function.handleRequest(new ByteArrayInputStream(request.toJson().getBytes(StandardCharsets.UTF_8)),
                new ByteArrayOutputStream(), new LocalLambdaContext("UserFunction", Duration.ofSeconds(30)));
        List<CaptureServer.Post> posts = slack.postsTo(path);
        assertThat(posts).hasSize(1);
        return CaptureServer.textOf(posts.get(0));
    }
}
