package dev.chatops.autodeploy;

import static org.assertj.core.api.Assertions.assertThat;

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

/**
 * {@code auto_deploy status [sha]} through AutoDeployFunction against a GitLab stand-in with a small
 * history (A ← B ← C ← D on one branch) deployed as GitLab.com's five environments are.
 */
@ExtendWith({MotoExtension.class, SecretsNotLogged.class})
class AutoDeployCommandTest {
    @RegisterExtension
    static final GitLabStandIn ops = new GitLabStandIn();
    @RegisterExtension
    static final GitLabStandIn production = new GitLabStandIn();
    @RegisterExtension
    static final CaptureServer slack = new CaptureServer();

    private static final String PROJECT = "gitlab-org/gitlab";
    private static final String A = "a".repeat(40);
    private static final String B = "b0b0" + "1".repeat(36);
    private static final String C = "c0c0" + "2".repeat(36);
    private static final String D = "d0d0" + "3".repeat(36);
    private static final String TWIN = "c0c0" + "9".repeat(36);

    private LocalAws aws;
    private AutoDeployFunction function;
    private String team;

    @BeforeEach
    void setUp(LocalAws aws) {
        this.aws = aws;
        ops.addAdminToken(MotoExtension.GITLAB_TOKEN);
        ops.addReadOnlyToken(MotoExtension.GITLAB_READ_TOKEN);
        production.addAdminToken(MotoExtension.GITLAB_TOKEN);
        production.addReadOnlyToken(MotoExtension.GITLAB_READ_TOKEN);
        ops.addProject("ops/chatops");
        long dev = ops.addUser("dev", true).id();
        ops.addMember("ops/chatops", "dev", 30);
        production.addUser("deployer", true);
        production.addCommit(PROJECT, A, null, "Start");
        production.addCommit(PROJECT, B, A, "Add a feature");
        production.addCommit(PROJECT, C, B, "Fix the feature");
        production.addCommit(PROJECT, D, C, "Speed it up");
        Instant now = Instant.now();
        // gstg-ref and gstg-cny run D, gstg runs C, gprd-cny runs B, gprd runs A; gprd-cny is deploying C now.
        production.addDeployment(
                PROJECT,
                "gstg-ref",
                D,
                "16-6-auto-deploy-2026112500",
                false,
                "success",
                now.minusSeconds(600),
                "deployer");
        production.addDeployment(
                PROJECT,
                "gstg-cny",
                D,
                "16.6.202611250000-d0d0333",
                true,
                "success",
                now.minusSeconds(1200),
                "deployer");
        production.addDeployment(
                PROJECT,
                "gstg",
                C,
                "16-6-auto-deploy-2026112418",
                false,
                "success",
                now.minusSeconds(7200),
                "deployer");
        production.addDeployment(
                PROJECT,
                "gprd-cny",
                B,
                "16-6-auto-deploy-2026112412",
                false,
                "success",
                now.minusSeconds(20000),
                "deployer");
        production.addDeployment(
                PROJECT, "gprd-cny", C, "16-6-auto-deploy-2026112418", false, "running", null, "deployer");
        production.addDeployment(
                PROJECT,
                "gprd",
                A,
                "16-6-auto-deploy-2026112406",
                false,
                "success",
                now.minusSeconds(90000),
                "deployer");
        function = function(Map.of());
        team = "T" + UUID.randomUUID().toString().substring(0, 8);
        Services.fromEnvironment(Env.of(aws.functionEnvironment("AutoDeployFunction", env(Map.of())))).access()
                .link(Link.of(team, "UDEV", "ops", dev, "dev", Instant.now()));
    }

    private Map<String, String> env(Map<String, String> more) {
        Map<String, String> env = new LinkedHashMap<>(Map.of(
                RuntimeConfig.RESPONSE_URL_ALLOW, "http://127.0.0.1",
                "GITLAB_INSTANCES", "ops=" + ops.baseUrl() + ",production=" + production.baseUrl(),
                "CHATOPS_PROJECT", "ops/chatops",
                "GITLAB_TIMEOUT_SECONDS", "5"));
        env.putAll(more);
        return env;
    }

    private AutoDeployFunction function(Map<String, String> more) {
        return new AutoDeployFunction(
                Services.fromEnvironment(Env.of(aws.functionEnvironment("AutoDeployFunction", env(more)))));
    }

    @Test
    void status_shows_every_environment_in_deploy_order_with_revision_branch_package_pipeline_and_diff()
            throws IOException {
        String text = text("status");

        assertThat(text).contains("*Deployments of `gitlab-org/gitlab`* (`127.0.0.1`), in deploy order");
        assertThat(text.indexOf("*gstg-ref*")).isLessThan(text.indexOf("*gstg-cny*"));
        assertThat(text.indexOf("*gstg-cny*")).isLessThan(text.indexOf("*gstg*"));
        assertThat(text.indexOf("*gprd-cny*")).isLessThan(text.indexOf("*gprd* "));
        assertThat(text)
                .contains(
                        ":white_check_mark: *gstg-ref* — <" + production.baseUrl() + "/gitlab-org/gitlab/-/commit/" + D
                                + "|d0d03333333>",
                        "branch `16-6-auto-deploy-2026112500` · package —",
                        "success 10 min ago by @deployer",
                        "/-/pipelines/",
                        "|pipeline>");
        assertThat(text).contains("package `16.6.202611250000-d0d0333`");
        assertThat(text).contains("/-/compare/" + D + "..." + C + "|diff to gstg>");
        assertThat(text).contains(":hourglass_flowing_sand: *gprd-cny*", "deploying <" + production.baseUrl()
                + "/gitlab-org/gitlab/-/commit/" + C + "|c0c02222222> now");
        assertThat(text).contains("*gprd* — <", "success 25 h ago");
        assertThat(slackPosts()).hasSize(1);
    }

    @Test
    void a_commit_deployed_to_staging_only_is_shown_where_it_is_and_where_it_is_not_yet() throws IOException {
        String text = text("status d0d0333");

        assertThat(text)
                .contains("*Commit <" + production.baseUrl() + "/gitlab-org/gitlab/-/commit/" + D
                        + "|d0d03333333>* Speed it up " + "— deployed to 2 of 5 environments");
        assertThat(text).contains(":white_check_mark: *gstg-ref* — deployed as the current revision (10 min ago).",
                ":white_check_mark: *gstg-cny* — deployed as the current revision",
                ":hourglass_flowing_sand: *gstg* — not yet: it runs <", ":hourglass_flowing_sand: *gprd* — not yet");
    }

    @Test
    void an_older_commit_is_deployed_within_newer_revisions_and_being_deployed_where_a_deployment_runs()
            throws IOException {
        String text = text("status " + C);

        assertThat(text)
                .contains(
                        "deployed to 3 of 5 environments",
                        ":white_check_mark: *gstg-ref* — deployed, within <",
                        ":white_check_mark: *gstg* — deployed as the current revision",
                        ":hourglass_flowing_sand: *gprd-cny* — being deployed now, in <",
                        ":hourglass_flowing_sand: *gprd* — not yet");
    }

    @Test
    void a_commit_on_no_environment_and_an_unknown_or_ambiguous_sha_each_have_their_own_words() throws IOException {
        production.addCommit(PROJECT, TWIN, D, "After everything");
        String newest = "e0e0" + "4".repeat(36);
        production.addCommit(PROJECT, newest, TWIN, "Not deployed anywhere");

        assertThat(text("status " + newest)).contains("deployed to 0 of 5 environments");
        assertThat(text("status " + "f".repeat(40)))
                .contains("There is no commit `" + "f".repeat(40) + "` in `gitlab-org/gitlab`.");
        assertThat(text("status c0c0")).contains("is not a commit sha: give 7 to 40 hex digits");
        assertThat(text("status c0c0222")).contains("deployed to 3 of 5");
        production.addCommit(PROJECT, "c0c0222" + "0".repeat(33), C, "Same prefix");
        assertThat(text("status c0c0222"))
                .contains("`c0c0222` names no single commit", "several start with it", "Give more digits");
        assertThat(text("status xyz1234")).contains("is not a commit sha");
    }

    @Test
    void an_environment_without_deployments_says_so() throws IOException {
        function = function(Map.of("AUTO_DEPLOY_ENVIRONMENTS", "gstg-ref,pre,gprd"));

        assertThat(text("status")).contains(":white_circle: *pre* — no successful deployment yet.");
        assertThat(text("status " + D))
                .contains(":white_circle: *pre* — no successful deployment yet.", "deployed to 1 of 3");
    }

    @Test
    void one_environment_timing_out_is_marked_while_the_others_answer_within_the_deadline() throws IOException {
        function = function(Map.of("AUTO_DEPLOY_DEADLINE_SECONDS", "2"));
        production.stallNext(
                "GET /api/v4/projects/gitlab-org%2Fgitlab/deployments?environment=gstg&", Duration.ofSeconds(4), 2);
        long started = System.nanoTime();

        String text = text("status");

        assertThat(text)
                .contains(
                        ":stopwatch: *gstg* — GitLab did not answer in time.",
                        ":white_check_mark: *gstg-ref*",
                        "*gprd* — <");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(4));
    }

    @Test
    void one_environment_failing_is_marked_while_the_others_answer() throws IOException {
        production.failNext("GET /api/v4/projects/gitlab-org%2Fgitlab/deployments?environment=gprd&", 500, 10);

        String text = text("status");

        assertThat(text).contains(":stopwatch: *gprd* — could not be read (GitLab answered 500).", "*gprd-cny*");
    }

    private List<CaptureServer.Post> slackPosts() {
        return slack.posts();
    }

    private String text(String line) throws IOException {
        String path = "/r/" + UUID.randomUUID();
        List<String> args = List.of(line.split(" "));
        CommandRequest request = new CommandRequest(UUID.randomUUID().toString(), team, "", "UDEV", "dev", "C1", "ops",
                "/chatops", "auto_deploy", args, Map.of(), line, slack.url(path), Instant.now());
        function.handleRequest(new ByteArrayInputStream(request.toJson().getBytes(StandardCharsets.UTF_8)),
                new ByteArrayOutputStream(), new LocalLambdaContext("AutoDeployFunction", Duration.ofSeconds(30)));
        List<CaptureServer.Post> posts = slack.postsTo(path);
        assertThat(posts).as(line).hasSize(1);
        return CaptureServer.textOf(posts.get(0));
    }
}
