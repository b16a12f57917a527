package dev.chatops.member;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatops.shared.ClickRequest;
import dev.chatops.shared.CommandRequest;
import dev.chatops.shared.Env;
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
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code member add|remove} waiting for a second person: on production as the deployment's policy
 * says, and on the chatops project (or a group above it) under any policy but none, since such a
 * change makes or unmakes approvers — nobody adds their own second person alone.
 */
@ExtendWith({MotoExtension.class, SecretsNotLogged.class})
class MemberApprovalTest {
    @RegisterExtension
    static final GitLabStandIn ops = new GitLabStandIn();
    @RegisterExtension
    static final GitLabStandIn production = new GitLabStandIn();
    @RegisterExtension
    static final CaptureServer slack = new CaptureServer();

    private LocalAws aws;
    private String team;
    private final Map<String, Long> ids = new LinkedHashMap<>();

    @BeforeEach
    void setUp(LocalAws aws) {
        this.aws = aws;
        for (GitLabStandIn gitlab : List.of(ops, production)) {
            gitlab.addAdminToken(MotoExtension.GITLAB_TOKEN);
            gitlab.addReadOnlyToken(MotoExtension.GITLAB_READ_TOKEN);
            gitlab.addUser("bob", true);
        }
        ops.addGroup("ops");
        ops.addProject("ops/chatops");
        ops.addProject("ops/tools");
        production.addProject("gitlab-org/gitlab");
        team = "T" + UUID.randomUUID().toString().substring(0, 8);
        Services services = services("production");
        for (String name : List.of("boss", "maint")) {
            long id = ops.addUser(name, true).id();
            ids.put(name, id);
            ops.addMember("ops/chatops", name, 40);
            ops.addMember("ops", name, 40);
            services.access().link(Link.of(team, "U" + name.toUpperCase(), "ops", id, name, Instant.now()));
        }
    }

    private Services services(String approvals) {
        return Services.fromEnvironment(Env.of(aws.functionEnvironment("MemberFunction", Map.of(
                RuntimeConfig.RESPONSE_URL_ALLOW, "http://127.0.0.1",
                "GITLAB_INSTANCES", "ops=" + ops.baseUrl() + ",production=" + production.baseUrl(),
                "CHATOPS_PROJECT", "ops/chatops",
                RuntimeConfig.APPROVALS, approvals,
                "MEMBER_PATHS", "ops:ops/chatops,ops:ops,ops:ops/tools,production:gitlab-org/gitlab"))));
    }

    @Test
    void adding_to_the_chatops_project_waits_and_the_approval_adds_as_the_requester() {
        CaptureServer.Post asked = last(run("production", "UBOSS", "add bob ops/chatops --ops"));

        assertThat(CaptureServer.textOf(asked)).contains(
                "<@UBOSS> asks for a second person's approval to run `/chatops run member add bob ops/chatops --ops`",
                "• add `bob` to `ops/chatops` on ops as developer", "Options given: `--ops`");
        assertThat(ops.accessLevel("ops/chatops", "bob")).isEmpty();

        String done = CaptureServer.textOf(last(click("production", "UMAINT", "maint", asked)));

        assertThat(done).contains("<@UBOSS> added `bob` to `ops/chatops` on ops as developer.",
                "Approved by <@UMAINT> (`maint`) for <@UBOSS> (`boss`)");
        assertThat(ops.accessLevel("ops/chatops", "bob")).contains(30);
        assertThat(ops.recorded()).filteredOn(GitLabStandIn.Recorded::write).singleElement()
                .satisfies(write -> assertThat(write.sudo()).as("as the requester, GitLab applying their rights")
                        .isEqualTo(String.valueOf(ids.get("boss"))));
    }

    @Test
    void a_group_above_the_chatops_project_waits_too_even_when_approvals_are_for_production_only() {
        assertThat(CaptureServer.textOf(last(run("production", "UBOSS", "add bob ops --ops --level=maintainer"))))
                .contains("asks for a second person's approval", "• add `bob` to `ops` on ops as maintainer");
        assertThat(ops.accessLevel("ops", "bob")).isEmpty();
    }

    @Test
    void another_project_on_ops_changes_at_once_and_production_waits_as_the_policy_says() {
        String tools = CaptureServer.textOf(last(run("production", "UBOSS", "add bob ops/tools --ops")));
        String onProduction = CaptureServer.textOf(last(run("production", "UBOSS", "remove bob gitlab-org/gitlab")));

        assertThat(tools).contains("<@UBOSS> added `bob` to `ops/tools` on ops as developer.");
        assertThat(ops.accessLevel("ops/tools", "bob")).contains(30);
        assertThat(onProduction).contains("asks for a second person's approval",
                "• remove `bob` from `gitlab-org/gitlab` on production");
    }

    @Test
    void with_approvals_off_nothing_waits_not_even_the_chatops_project() {
        String added = CaptureServer.textOf(last(run("none", "UBOSS", "add bob ops/chatops --ops")));

        assertThat(added).contains("<@UBOSS> added `bob` to `ops/chatops` on ops as developer.");
        assertThat(ops.accessLevel("ops/chatops", "bob")).contains(30);
    }

    @Test
    void the_requester_cannot_approve_adding_their_own_second_person() {
        CaptureServer.Post asked = last(run("production", "UBOSS", "add bob ops/chatops --ops --level=maintainer"));

        String answer = CaptureServer.textOf(last(click("production", "UBOSS", "boss", asked)));

        assertThat(answer).contains("You asked for this change: a second person decides it.", "Nothing was changed.");
        assertThat(ops.accessLevel("ops/chatops", "bob")).isEmpty();
    }

    // ------------------------------------------------------------------ helpers

    private List<CaptureServer.Post> run(String approvals, String user, String line) {
        List<String> words = Arrays.asList(line.split(" "));
        Map<String, String> options = new LinkedHashMap<>();
        words.stream().filter(w -> w.startsWith("--")).forEach(w -> {
            int eq = w.indexOf('=');
            options.put(eq < 0 ? w.substring(2) : w.substring(2, eq), eq < 0 ? null : w.substring(eq + 1));
        });
        String path = "/r/" + UUID.randomUUID();
        CommandRequest request = new CommandRequest(UUID.randomUUID().toString(), team, "", user,
                user.toLowerCase(), "C1", "ops", "/chatops", "member",
                words.stream().filter(w -> !w.startsWith("--")).toList(), options, line, slack.url(path),
                Instant.now());
        invoke(approvals, request.toJson());
        List<CaptureServer.Post> posts = slack.postsTo(path);
        assertThat(posts).as(line).isNotEmpty();
        return posts;
    }

    private List<CaptureServer.Post> click(String approvals, String user, String userName, CaptureServer.Post asked) {
        List<CaptureServer.Button> buttons = CaptureServer.buttonsOf(asked);
        assertThat(buttons).extracting(CaptureServer.Button::actionId).containsExactly("member.approve", "member.deny");
        String path = "/c/" + UUID.randomUUID();
        invoke(approvals, new ClickRequest("sc-" + UUID.randomUUID(), team, "", user, userName, "C1", "member",
                "approve", buttons.get(0).value(), slack.url(path), Instant.now()).toJson());
        List<CaptureServer.Post> posts = slack.postsTo(path);
        assertThat(posts).as("answers to the click").isNotEmpty();
        return posts;
    }

    private void invoke(String approvals, String json) {
        try {
            new MemberFunction(services(approvals)).handleRequest(
                    new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), new ByteArrayOutputStream(),
                    new LocalLambdaContext("MemberFunction", Duration.ofSeconds(30)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static CaptureServer.Post last(List<CaptureServer.Post> posts) {
        return posts.get(posts.size() - 1);
    }
}
