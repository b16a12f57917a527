package dev.chatops.member;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatops.shared.CommandRequest;
import dev.chatops.shared.Env;
import dev.chatops.shared.access.Link;
import dev.chatops.shared.command.Catalog;
import dev.chatops.shared.command.Usage;
import dev.chatops.shared.command.Invocation;
import dev.chatops.shared.runtime.CommandCall;
import dev.chatops.shared.runtime.Reply;
import dev.chatops.shared.runtime.ResponseUrlClient;
import dev.chatops.shared.runtime.RuntimeConfig;
import dev.chatops.shared.runtime.Services;
import dev.chatops.testing.CaptureServer;
import dev.chatops.testing.CountedDynamoDb;
import dev.chatops.testing.GitLabStandIn;
import dev.chatops.testing.LocalAws;
import dev.chatops.testing.LocalLambdaContext;
import dev.chatops.testing.MotoExtension;
import dev.chatops.testing.SecretsNotLogged;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code member add|remove|list} through MemberFunction, against two GitLab stand-ins (ops and production). */
@ExtendWith({MotoExtension.class, SecretsNotLogged.class})
class MemberCommandTest {
    @RegisterExtension
    static final GitLabStandIn ops = new GitLabStandIn();
    @RegisterExtension
    static final GitLabStandIn production = new GitLabStandIn();
    @RegisterExtension
    static final CaptureServer slack = new CaptureServer();

    private MemberFunction function;
    private MemberFunction guarded;
    private Services services;
    private LocalAws aws;
    private long boss;
    private String team;
    private String channel = "C1";

    @BeforeEach
    void setUp(LocalAws aws) {
        for (GitLabStandIn gitlab : List.of(ops, production)) {
            gitlab.addAdminToken(MotoExtension.GITLAB_TOKEN);
            gitlab.addReadOnlyToken(MotoExtension.GITLAB_READ_TOKEN);
            gitlab.addUser("bob", true);
        }
        ops.addGroup("ops");
        ops.addProject("ops/chatops");
        ops.addProject("ops/secret");
        production.addProject("gitlab-org/gitlab");
        this.aws = aws;
        boss = ops.addUser("boss", true).id();
        ops.addMember("ops/chatops", "boss", 40);
        ops.addMember("ops", "boss", 40);
        services = Services.fromEnvironment(Env.of(aws.functionEnvironment("MemberFunction", Map.of(
                RuntimeConfig.RESPONSE_URL_ALLOW, "http://127.0.0.1",
                "GITLAB_INSTANCES", "ops=" + ops.baseUrl() + ",production=" + production.baseUrl(),
                "CHATOPS_PROJECT", "ops/chatops",
                RuntimeConfig.APPROVALS, "none", // changes made at once; approvals: MemberApprovalTest
                "MEMBER_PATHS", "ops:ops/chatops,ops:ops,ops:ops/missing,production:gitlab-org/gitlab"))));
        function = new MemberFunction(services);
        guarded = new MemberFunction(Services.fromEnvironment(Env.of(aws.functionEnvironment("MemberFunction", Map.of(
                RuntimeConfig.RESPONSE_URL_ALLOW, "http://127.0.0.1",
                "GITLAB_INSTANCES", "ops=" + ops.baseUrl() + ",production=" + production.baseUrl(),
                "CHATOPS_PROJECT", "ops/chatops",
                RuntimeConfig.APPROVALS, "none", // changes made at once; approvals: MemberApprovalTest
                "MEMBER_PATHS", "ops:ops/chatops,ops:ops,ops:ops/missing,production:gitlab-org/gitlab",
                RuntimeConfig.PRODUCTION_CHANNELS, "CPROD")))));
        team = "T" + UUID.randomUUID().toString().substring(0, 8);
        services.access().link(Link.of(team, "UBOSS", "ops", boss, "boss", Instant.now()));
    }

    @Test
    void add_gives_developer_by_default_and_announces_it_in_the_channel() throws IOException {
        CaptureServer.Post reply = run("add bob ops/chatops --ops");

        assertThat(ops.accessLevel("ops/chatops", "bob")).contains(30);
        assertThat(reply.json()).containsEntry("response_type", "in_channel");
        assertThat(CaptureServer.textOf(reply)).contains("<@UBOSS> added `bob` to `ops/chatops` on ops as developer");
    }

    @Test
    void add_takes_a_level_and_works_on_groups_and_on_the_production_instance_by_default() throws IOException {
        run("add bob ops --ops --level=maintainer");
        run("add bob gitlab-org/gitlab --level=reporter");

        assertThat(ops.accessLevel("ops", "bob")).contains(40);
        assertThat(production.accessLevel("gitlab-org/gitlab", "bob")).contains(20);
    }

    @Test
    void add_explains_every_way_it_cannot_and_changes_nothing() throws IOException {
        ops.addMember("ops/chatops", "bob", 20);

        assertThat(text("add bob ops/chatops --ops")).contains("already a member", "nothing was changed");
        assertThat(text("add nobody ops/chatops --ops")).contains("There is no user `nobody` on ops");
        assertThat(text("add bob ops/missing --ops")).contains("There is no project or group `ops/missing` on ops");
        assertThat(text("add bob ops/chatops --ops --level=owner"))
                .contains("`--level` is one of guest, reporter, developer, maintainer");
        assertThat(text("add bob ops/chatops --ops --production")).contains("Give one instance");
        assertThat(ops.accessLevel("ops/chatops", "bob")).contains(20);
    }

    @Test
    void markup_typed_as_a_username_or_a_path_comes_back_as_typed_never_as_a_mention_or_a_link() throws IOException {
        String user = text("add <!channel> ops/chatops --ops");
        String path = text("add bob ops/<https://evil.example|click> --ops");
        String amp = text("add a&b ops/chatops --ops");

        assertThat(user).contains("There is no user `&lt;!channel&gt;` on ops");
        assertThat(path).contains("not `ops/&lt;https://evil.example|click&gt;` on ops");
        assertThat(amp).contains("There is no user `a&amp;b` on ops");
        for (String reply : List.of(user, path, amp)) {
            assertThat(reply).doesNotContain("<!channel>", "<https://evil", "a&b");
        }
    }

    @Test
    void member_changes_only_the_configured_paths() throws IOException {
        assertThat(text("add bob ops/secret --ops")).contains(":no_entry:", "manages only", "`ops/chatops` on ops");
        assertThat(text("list ops/secret --ops")).contains("manages only");
        assertThat(ops.accessLevel("ops/secret", "bob")).isEmpty();
    }

    @Test
    void on_the_chatops_instance_gitlab_applies_the_callers_own_rights() throws IOException {
        ops.addUser("theowner", true);
        ops.addMember("ops/chatops", "theowner", 50);

        assertThat(text("remove theowner ops/chatops --ops")).contains(
                "GitLab on ops refused it as you (403): your own rights there do not allow it. Nothing was changed.");
        assertThat(ops.accessLevel("ops/chatops", "theowner")).contains(50);
        assertThat(ops.requests()).anyMatch(r -> r.startsWith("DELETE /api/v4/projects/ops%2Fchatops/members/"));
    }

    @Test
    void remove_takes_a_member_out_and_says_so_when_there_was_nothing_to_remove() throws IOException {
        ops.addMember("ops/chatops", "bob", 30);

        assertThat(text("remove bob ops/chatops --ops")).contains("removed `bob` from `ops/chatops` on ops");
        assertThat(ops.accessLevel("ops/chatops", "bob")).isEmpty();
        assertThat(text("remove bob ops/chatops --ops")).contains("not a direct member", "nothing was changed");
    }

    @Test
    void list_shows_direct_and_inherited_members_highest_role_first() throws IOException {
        ops.addMember("ops", "bob", 20);

        String list = text("list ops/chatops --ops");

        assertThat(list).contains("2 members of `ops/chatops` on ops");
        assertThat(list.indexOf("maintainer   boss")).isLessThan(list.indexOf("reporter     bob"));
    }

    /**
     * A list reads with the read-only token where it is not made as the caller; on the chatops
     * instance it is made as the caller (Sudo, which needs the write token's scope), so that it shows
     * what they may see there.
     */
    @Test
    void list_reads_with_the_read_only_token_except_as_the_caller_on_the_chatops_instance() throws IOException {
        assertThat(text("list gitlab-org/gitlab --production")).contains("members of `gitlab-org/gitlab`");
        assertThat(production.recorded()).isNotEmpty().allSatisfy(request -> {
            assertThat(request.readOnlyToken()).as(request.path()).isTrue();
            assertThat(request.sudo()).as(request.path()).isNull();
        });

        assertThat(text("list ops/chatops --ops")).contains("member of `ops/chatops` on ops");
        // The list itself (the role check before it reads the caller's own membership with the read-only token).
        assertThat(ops.recorded()).filteredOn(request -> request.path().contains("/members/all?"))
                .isNotEmpty().allSatisfy(request -> assertThat(request.sudo()).isEqualTo(Long.toString(boss)));
    }

    @Test
    void changes_to_production_are_made_only_from_the_production_channels() throws IOException {
        function = guarded;

        assertThat(text("add bob gitlab-org/gitlab"))
                .contains("Changes to production are made from <#CPROD>", "Nothing was changed");
        assertThat(production.accessLevel("gitlab-org/gitlab", "bob")).isEmpty();
        assertThat(text("add bob ops/chatops --ops")).contains("added `bob`");
        assertThat(text("list gitlab-org/gitlab")).contains("members of `gitlab-org/gitlab`");
        channel = "CPROD";
        assertThat(text("add bob gitlab-org/gitlab")).contains("added `bob` to `gitlab-org/gitlab` on production");
    }

    @Test
    void when_gitlab_cannot_be_reached_the_person_gets_a_failure_with_the_request_id() throws IOException {
        production.close();
        try {
            assertThat(text("list gitlab-org/gitlab --production")).contains("failed. Request id");
        } finally {
            production.listen(0);
        }
    }

    @Test
    void a_link_gone_between_the_role_check_and_the_change_never_turns_into_a_write_with_the_admin_token()
            throws IOException {
        ops.addUser("mallory", true);
        // The authoriser reads boss's role from GitLab (no cached level yet); at that very moment boss unlinks.
        ops.onNext("GET /api/v4/projects/ops%2Fchatops/members/all/",
                () -> services.access().unlink(team, "UBOSS"));

        run("add mallory ops --ops --level=maintainer");

        assertThat(services.access().findLink(team, "UBOSS")).as("unlinked meanwhile").isEmpty();
        assertThat(ops.recorded())
                .filteredOn(GitLabStandIn.Recorded::write)
                .as("writes on the chatops instance")
                .isNotEmpty()
                .allSatisfy(write -> assertThat(write.sudo()).as(write.path()).isEqualTo(Long.toString(boss)));
    }

    @Test
    void on_the_chatops_instance_a_call_without_a_proven_gitlab_account_is_refused_and_gitlab_sees_no_write() {
        ops.addUser("mallory", true);
        CommandRequest request = request("add mallory ops --ops --level=maintainer", slack.url("/r/unproven"));
        Invocation invocation = Usage.resolve(Catalog.MEMBER, request.args(), request.options(),
                services.gitlab().config().instances().keySet());

        Reply reply = new MemberCommand(services.gitlab(), services.gitlabWriter(), services.access())
                .handlers()
                .get("add")
                .handle(new CommandCall(
                        request,
                        invocation,
                        markdown -> {},
                        Optional.empty(),
                        Instant.now().plusSeconds(20),
                        Clock.systemUTC()));

        assertThat(String.join("\n", reply.messages().stream().map(m -> m.text()).toList()))
                .contains("ChatOps could not tell which GitLab account on ops is yours", "Nothing was changed");
        assertThat(reply.outcome()).isEqualTo(Reply.Outcome.REFUSED);
        assertThat(ops.recorded()).noneMatch(GitLabStandIn.Recorded::write);
        assertThat(ops.accessLevel("ops", "mallory")).isEmpty();
    }

    @Test
    void an_add_that_gitlab_does_not_answer_in_time_may_or_may_not_have_been_made_and_says_how_to_check()
            throws IOException {
        function = withTimeoutOfOneSecond();
        ops.stallNext("POST /api/v4/groups/ops/members", Duration.ofSeconds(4), 1);

        String text = text("add bob ops --ops");

        assertThat(text).contains("GitLab on ops did not answer in time", "may or may not have been made",
                "`/chatops run member list ops --ops`").doesNotContain("failed", ops.baseUrl());
    }

    @Test
    void a_remove_that_gitlab_does_not_answer_in_time_may_or_may_not_have_been_made_and_says_how_to_check()
            throws IOException {
        function = withTimeoutOfOneSecond();
        ops.addMember("ops/chatops", "bob", 30);
        ops.stallNext("DELETE /api/v4/projects/ops%2Fchatops/members/", Duration.ofSeconds(4), 1);

        String text = text("remove bob ops/chatops --ops");

        assertThat(text).contains("GitLab on ops did not answer in time", "may or may not have been made",
                "`/chatops run member list ops/chatops --ops`").doesNotContain("failed", ops.baseUrl());
    }

    @Test
    void a_change_on_the_chatops_instance_reads_the_callers_link_once_the_authorisers_read() throws IOException {
        CountedDynamoDb dynamo = new CountedDynamoDb();
        Env env = Env.of(aws.functionEnvironment("MemberFunction", Map.of(
                RuntimeConfig.RESPONSE_URL_ALLOW, "http://127.0.0.1",
                "GITLAB_INSTANCES", "ops=" + ops.baseUrl() + ",production=" + production.baseUrl(),
                "CHATOPS_PROJECT", "ops/chatops",
                RuntimeConfig.APPROVALS, "none", // changes made at once; approvals: MemberApprovalTest
                "MEMBER_PATHS", "ops:ops/chatops,ops:ops,ops:ops/missing,production:gitlab-org/gitlab")));
        function = new MemberFunction(new Services(env, dynamo.client(), Clock.systemUTC(),
                ResponseUrlClient.standard(RuntimeConfig.from(env).responseUrls())));

        CaptureServer.Post reply = run("add bob ops --ops");

        assertThat(CaptureServer.textOf(reply)).contains("<@UBOSS> added `bob` to `ops` on ops as developer");
        System.out.println(
                "DynamoDB requests for one `member add`: " + dynamo.requests().size() + " " + dynamo.requests());
        assertThat(dynamo.requests()).as("reads of the caller's link")
                .filteredOn(r -> r.equals("GetItem slack#" + team + "#UBOSS")).hasSize(1);
    }

    private MemberFunction withTimeoutOfOneSecond() {
        return new MemberFunction(Services.fromEnvironment(Env.of(aws.functionEnvironment("MemberFunction", Map.of(
                RuntimeConfig.RESPONSE_URL_ALLOW, "http://127.0.0.1",
                "GITLAB_INSTANCES", "ops=" + ops.baseUrl() + ",production=" + production.baseUrl(),
                "CHATOPS_PROJECT", "ops/chatops",
                RuntimeConfig.APPROVALS, "none", // changes made at once; approvals: MemberApprovalTest
                "MEMBER_PATHS", "ops:ops/chatops,ops:ops,ops:ops/missing,production:gitlab-org/gitlab",
                "GITLAB_TIMEOUT_SECONDS", "1")))));
    }

    private String text(String args) throws IOException {
        return CaptureServer.textOf(run(args));
    }

    private CaptureServer.Post run(String line) throws IOException {
        String path = "/r/" + UUID.randomUUID();
        CommandRequest request = request(line, slack.url(path));
        function.handleRequest(new ByteArrayInputStream(request.toJson().getBytes(StandardCharsets.UTF_8)),
                new ByteArrayOutputStream(), new LocalLambdaContext("MemberFunction", Duration.ofSeconds(30)));
        List<CaptureServer.Post> posts = slack.postsTo(path);
        assertThat(posts).as(line).hasSize(1);
        return posts.get(0);
    }

    private CommandRequest request(String line, String responseUrl) {
        List<String> words = Arrays.asList(line.split(" "));
        List<String> args = words.stream().filter(w -> !w.startsWith("--")).toList();
        Map<String, String> options = new LinkedHashMap<>();
        words.stream().filter(w -> w.startsWith("--")).forEach(w -> {
            int eq = w.indexOf('=');
            options.put(eq < 0 ? w.substring(2) : w.substring(2, eq), eq < 0 ? null : w.substring(eq + 1));
        });
        return new CommandRequest(UUID.randomUUID().toString(), team, "", "UBOSS", "boss", channel, "ops",
                "/chatops", "member", args, options, line, responseUrl, Instant.now());
    }
}
