package dev.chatops.feature;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatops.shared.CommandRequest;
import dev.chatops.shared.Env;
import dev.chatops.shared.access.Link;
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
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * {@code feature list|get|set|delete} through FeatureFunction, against three GitLab stand-ins (ops,
 * where the chatops project lives; staging; production), a capture server for Slack's response_url
 * and the log channel's webhook, and moto for DynamoDB and Secrets Manager.
 */
@ExtendWith({MotoExtension.class, SecretsNotLogged.class})
class FeatureCommandTest {
    @RegisterExtension
    static final GitLabStandIn ops = new GitLabStandIn();
    @RegisterExtension
    static final GitLabStandIn staging = new GitLabStandIn();
    @RegisterExtension
    static final GitLabStandIn production = new GitLabStandIn();
    @RegisterExtension
    static final CaptureServer slack = new CaptureServer();

    private static final String INCIDENTS = "gitlab-com/gl-infra/production";
    private static final String FLAG_LOG = "gitlab-com/gl-infra/feature-flag-log";

    private LocalAws aws;
    private FeatureFunction function;
    private String team;
    private String user = "UBOSS";
    private String channel = "CPROD";
    private String webhookSecret;

    @BeforeEach
    void setUp(LocalAws aws) {
        this.aws = aws;
        for (GitLabStandIn gitlab : List.of(ops, staging, production)) {
            gitlab.addAdminToken(MotoExtension.GITLAB_TOKEN);
            gitlab.addReadOnlyToken(MotoExtension.GITLAB_READ_TOKEN);
            gitlab.addUser("admin", true, true);
            gitlab.addUser("bob", true);
            gitlab.addUser("alice", true);
            gitlab.addGroup("gitlab-org");
            gitlab.addProject("gitlab-org/gitlab");
        }
        ops.addProject("ops/chatops");
        ops.addProject(FLAG_LOG);
        production.addProject(INCIDENTS);
        long boss = ops.addUser("boss", true).id();
        ops.addMember("ops/chatops", "boss", 40);
        long dev = ops.addUser("dev", true).id();
        ops.addMember("ops/chatops", "dev", 30);
        webhookSecret = "feature-log-webhook-" + UUID.randomUUID();
        try (SecretsManagerClient secrets = SecretsManagerClient.builder()
                .httpClient(UrlConnectionHttpClient.create())
                .build()) {
            secrets.createSecret(
                    b -> b.name(webhookSecret).secretString(slack.url("/services/T0/B0/hook-secret-part")));
        }
        SecretsNotLogged.watch("hook-secret-part");
        function = function(Map.of());
        team = "T" + UUID.randomUUID().toString().substring(0, 8);
        Services services = Services.fromEnvironment(Env.of(aws.functionEnvironment("FeatureFunction", Map.of())));
        services.access().link(Link.of(team, "UBOSS", "ops", boss, "boss", Instant.now()));
        services.access().link(Link.of(team, "UDEV", "ops", dev, "dev", Instant.now()));
    }

    private FeatureFunction function(Map<String, String> more) {
        Map<String, String> env = new LinkedHashMap<>(Map.of(
                RuntimeConfig.RESPONSE_URL_ALLOW,
                "http://127.0.0.1",
                "GITLAB_INSTANCES",
                "ops=" + ops.baseUrl() + ",staging=" + staging.baseUrl() + ",production=" + production.baseUrl(),
                "CHATOPS_PROJECT",
                "ops/chatops",
                RuntimeConfig.PRODUCTION_CHANNELS,
                "CPROD",
                "FEATURE_INCIDENT_PROJECT",
                "production:" + INCIDENTS,
                "FEATURE_LOG_PROJECT",
                "ops:" + FLAG_LOG,
                "FEATURE_LOG_WEBHOOK_SECRET_ID",
                webhookSecret,
                "GITLAB_TIMEOUT_SECONDS",
                "2"));
        // These are the rules of a change made at once; FeatureApprovalTest has those of a second person.
        env.put(RuntimeConfig.APPROVALS, "none");
        env.putAll(more);
        return new FeatureFunction(Services.fromEnvironment(Env.of(aws.functionEnvironment("FeatureFunction", env))),
                duration -> { });
    }

    // ------------------------------------------------------------------ set

    @Test
    void set_shows_the_flag_before_and_after_with_the_host_and_sends_the_documented_form() throws IOException {
        CaptureServer.Post reply = last(run("set my_flag 25 --actors --staging"));

        assertThat(reply.json()).containsEntry("response_type", "in_channel");
        assertThat(CaptureServer.textOf(reply)).contains("<@UBOSS> set `my_flag` to 25% of actors",
                "*staging* (`127.0.0.1`) — `my_flag`: not set → *on for 25% of actors*");
        assertThat(staging.feature("my_flag").orElseThrow()).containsEntry("state", "conditional");
        GitLabStandIn.Recorded post = staging.recorded().stream()
                .filter(r -> r.method().equals("POST"))
                .findFirst()
                .orElseThrow();
        assertThat(post.path()).isEqualTo("/api/v4/features/my_flag");
        assertThat(post.contentType()).isEqualTo("application/x-www-form-urlencoded");
        assertThat(post.body()).isEqualTo("value=25&key=percentage_of_actors");
    }

    @Test
    void the_rollout_of_the_issue_staging_then_production_then_get_shows_a_quarter_of_actors() throws IOException {
        run("set my_flag 25 --actors --staging");
        String production = text("set my_flag 25 --actors");
        String card = text("get my_flag");

        assertThat(production).contains("*production* (`127.0.0.1`) — `my_flag`: not set → *on for 25% of actors*",
                "Consistency check: staging has `my_flag` on for 25% of actors", "Production check: no open");
        assertThat(card).contains("*`my_flag`* on production", "*conditional*", "*Percentage of actors*\n25%",
                "*Percentage of time*\n—", "*Boolean*\nfalse", "*Users*\n—", "*Feature groups*\n—");
    }

    @Test
    void production_before_staging_is_refused_by_the_consistency_check_and_the_override_is_named_everywhere()
            throws IOException {
        String refused = text("set my_flag true");

        assertThat(refused).contains(":no_entry: *production* (`127.0.0.1`) — `my_flag` not changed (it stays not set)",
                "• Consistency check: staging has `my_flag` not set; "
                + "enable it on staging first", "Override with `--ignore-feature-flag-consistency-check`");
        assertThat(production.feature("my_flag")).isEmpty();
        assertThat(production.recorded()).noneMatch(r -> r.method().equals("POST"));

        List<CaptureServer.Post> posts = run("set my_flag true --ignore-feature-flag-consistency-check");
        String changed = CaptureServer.textOf(last(posts));

        assertThat(changed)
                .contains(
                        "`my_flag`: not set → *on*",
                        "Consistency check overridden with " + "`--ignore-feature-flag-consistency-check`",
                        "Overrides used: `--ignore-feature-flag-consistency-check`");
        assertThat(production.feature("my_flag").orElseThrow()).containsEntry("state", "on");
        assertThat(auditDetail(posts)).contains("overrides: --ignore-feature-flag-consistency-check");
        assertThat(webhookTexts()).anyMatch(t -> t.contains("Overrides: --ignore-feature-flag-consistency-check"));
        assertThat(ops.issues(FLAG_LOG)).singleElement().satisfies(issue ->
                assertThat(issue.description()).contains("| Overrides | --ignore-feature-flag-consistency-check |"));
    }

    @Test
    void production_cannot_go_fully_on_while_staging_is_only_partly_on() throws IOException {
        staging.setFeature("my_flag", "true");
        staging.setFeatureFor("my_flag", true, "user", "bob");
        staging.setFeature("my_flag", "false");
        staging.setFeatureFor("my_flag", true, "user", "bob");

        assertThat(text("set my_flag true")).contains("staging has `my_flag` only partly on (on for 1 user)");
        assertThat(text("set my_flag true --user=bob")).contains("`my_flag`: not set → *on for 1 user*");
    }

    @Test
    void staging_cannot_be_disabled_or_deleted_while_production_has_the_flag_on() throws IOException {
        staging.setFeature("my_flag", "true");
        production.setFeature("my_flag", "true");

        assertThat(text("set my_flag false --staging")).contains("• Consistency check: production has `my_flag` on; "
                + "disable it on production first");
        assertThat(text("delete my_flag --staging")).contains("not deleted", "production has `my_flag` on");
        assertThat(staging.feature("my_flag").orElseThrow()).containsEntry("state", "on");

        String both = text("set my_flag false --staging --production");

        assertThat(both.indexOf("*production*")).isLessThan(both.indexOf("*staging*"));
        assertThat(staging.feature("my_flag").orElseThrow()).containsEntry("state", "off");
        assertThat(production.feature("my_flag").orElseThrow()).containsEntry("state", "off");
    }

    @Test
    void several_instances_in_one_command_enable_staging_before_production_and_report_each() throws IOException {
        String reply = text("set my_flag true --production --staging --ops");

        assertThat(reply.indexOf("*staging*")).isLessThan(reply.indexOf("*production*"));
        assertThat(reply)
                .contains(
                        "*ops* (`127.0.0.1`) — `my_flag`: not set → *on*",
                        "*staging* (`127.0.0.1`) — `my_flag`: not set → *on*",
                        "*production* (`127.0.0.1`) — `my_flag`: not set → *on*");
        for (GitLabStandIn gitlab : List.of(ops, staging, production)) {
            assertThat(gitlab.feature("my_flag").orElseThrow()).containsEntry("state", "on");
        }
    }

    @Test
    void open_severe_incidents_block_production_with_the_check_announced_first_and_listed() throws IOException {
        staging.setFeature("my_flag", "true");
        long severe = production.addIssue(INCIDENTS, "Database <failover>", "severity::1", "incident");
        production.addIssue(INCIDENTS, "Slow pages", "severity::3");
        long closed = production.addIssue(INCIDENTS, "Old outage", "severity::2");
        production.closeIssue(INCIDENTS, closed);

        List<CaptureServer.Post> posts = run("set my_flag true");

        assertThat(posts).hasSize(2);
        assertThat(CaptureServer.textOf(posts.get(0)))
                .contains("Production check initiated for `my_flag` on production");
        String refused = CaptureServer.textOf(posts.get(1));
        assertThat(refused).contains("• Production check: 1 open incident in `" + INCIDENTS + "`",
                "/-/issues/" + severe + "|#" + severe + "> Database &lt;failover&gt; (`severity::1`)",
                "Override with `--ignore-production-check`").doesNotContain("Slow pages", "Old outage");
        assertThat(production.feature("my_flag")).isEmpty();

        String overridden = text("set my_flag true --ignore-production-check");

        assertThat(overridden)
                .contains("→ *on*", "Production check overridden with `--ignore-production-check`: 1 open incident");
        assertThat(production.feature("my_flag").orElseThrow()).containsEntry("state", "on");
    }

    @Test
    void a_production_check_that_cannot_be_made_refuses_rather_than_passes() throws IOException {
        staging.setFeature("my_flag", "true");
        production.failNext("GET /api/v4/projects/" + INCIDENTS.replace("/", "%2F") + "/issues", 500, 10);

        assertThat(text("set my_flag true")).contains("• Production check: open incidents in `" + INCIDENTS
                + "` could not be read (GitLab answered 500)");
        assertThat(production.feature("my_flag")).isEmpty();
    }

    @Test
    void production_changes_only_from_the_production_channels_and_staging_from_anywhere() throws IOException {
        channel = "CRANDOM";

        assertThat(text("set my_flag true --staging --production"))
                .contains("Changes to production are made from <#CPROD>", "Nothing was changed");
        assertThat(staging.feature("my_flag")).isEmpty();
        assertThat(text("set my_flag true --staging")).contains("→ *on*");
    }

    @Test
    void a_developer_may_change_staging_but_is_told_production_needs_maintainer() throws IOException {
        user = "UDEV";

        assertThat(text("set my_flag true --staging")).contains("→ *on*");
        assertThat(text("set my_flag true --ignore-feature-flag-consistency-check"))
                .contains("You need maintainer on `ops/chatops` to change production; you are developer.");
        assertThat(text("delete my_flag")).contains("You need maintainer on `ops/chatops` to change production");
        assertThat(production.recorded()).noneMatch(r -> r.method().equals("POST") || r.method().equals("DELETE"));
        assertThat(text("get my_flag")).contains("*`my_flag`* on production");
    }

    @Test
    void actor_gates_take_comma_separated_paths_or_ids_and_the_card_names_them() throws IOException {
        long aliceId = staging.user("alice").orElseThrow().id();

        String reply = text("set my_flag true --user=bob," + aliceId
                + " --project=gitlab-org/gitlab --group=gitlab-org " + "--feature-group=gitlab_team_members --staging");

        assertThat(reply)
                .contains(
                        "`my_flag`: not set → *on for 2 users, 1 group, 1 project, feature group gitlab_team_members*");
        GitLabStandIn.Recorded post = staging.recorded().stream()
                .filter(r -> r.method().equals("POST"))
                .findFirst()
                .orElseThrow();
        assertThat(post.body())
                .isEqualTo("value=true&feature_group=gitlab_team_members&user=bob%2Calice&group=gitlab-org"
                        + "&project=gitlab-org%2Fgitlab");
        assertThat(text("get my_flag --staging"))
                .contains(
                        "*Users*\n`bob`, `alice`",
                        "*Projects*\n`gitlab-org/gitlab`",
                        "*Groups*\n`gitlab-org`",
                        "*Feature groups*\n`gitlab_team_members`",
                        "*Namespaces*\n—",
                        "*Repositories*\n—");

        assertThat(text("set my_flag false --user=bob --staging")).contains("→ *on for 1 user, 1 group, 1 project");
    }

    @Test
    void namespaces_and_repositories_are_gates_too() throws IOException {
        String reply =
                text("set my_flag true --namespace=alice,gitlab-org --repository=gitlab-org/gitlab.git --staging");

        assertThat(reply).contains("on for 1 namespace, 1 group, 1 repository");
        assertThat(text("get my_flag --staging"))
                .contains(
                        "*Namespaces*\n`Namespaces::UserNamespace:",
                        "*Repositories*\n`Repository:gitlab-org/gitlab.git`");
    }

    @Test
    void an_unknown_actor_is_gitlabs_refusal_in_a_sentence_and_an_unknown_id_is_ours() throws IOException {
        assertThat(text("set my_flag true --user=nobody --staging")).contains(":x: *staging*",
                "GitLab on staging refused it: 400 Bad request - nobody is not found!. Nothing was changed.");
        assertThat(text("set my_flag true --user=999999 --staging")).contains("there is no user with id 999999 here");
        assertThat(staging.feature("my_flag")).isEmpty();
    }

    @Test
    void a_percentage_of_time_needs_the_deprecation_override() throws IOException {
        assertThat(text("set my_flag 10 --random --staging"))
                .contains("deprecated upstream", "--ignore-random-deprecation-check");
        assertThat(staging.feature("my_flag")).isEmpty();

        assertThat(text("set my_flag 12.5 --random --ignore-random-deprecation-check --staging"))
                .contains("→ *on for 12.5% of time*");
        GitLabStandIn.Recorded post = staging.recorded().stream()
                .filter(r -> r.method().equals("POST"))
                .findFirst()
                .orElseThrow();
        assertThat(post.body()).isEqualTo("value=12.5&key=percentage_of_time");
    }

    @Test
    void bad_input_is_answered_with_the_reason_and_the_usage_and_reaches_no_gitlab() throws IOException {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("set My-Flag true --staging", "is not a feature flag name");
        cases.put("set my_flag maybe --staging", "is not a value: give `true`, `false` or a percentage from 0 to 100");
        cases.put("set my_flag 101 --actors --staging", "is not a value");
        cases.put("set my_flag -5 --actors --staging", "is not a value");
        cases.put("set my_flag 25 --staging", "A percentage needs `--actors`");
        cases.put(
                "set my_flag 25 --actors --random --staging",
                "`--actors` and `--random` are two different percentages");
        cases.put("set my_flag true --actors --staging", "`--actors` goes with a percentage, not with `true`");
        cases.put("set my_flag 25 --actors --user=bob --staging", "does not combine with `--user`");
        cases.put("set my_flag 0 --actors --staging", "GitLab takes `0` as `false`");
        cases.put("set my_flag true --user=bo$b --staging", "is not a GitLab username");
        cases.put("set my_flag true --user=a..b --staging", "is not a GitLab username");
        cases.put("set my_flag true --project=../etc --staging", "is not a project path");
        cases.put("set my_flag true --user= --staging", "`--user` needs a value");
        cases.put("set my_flag true --colour=red --staging", "`--colour` is not an option of `feature set`");
        cases.put("set my_flag --staging", "`feature set` is missing <true|false|percentage>");
        cases.put("get Bad.Name", "is not a feature flag name");
        cases.put("delete Bad.Name --staging", "is not a feature flag name");
        cases.put("list --match=" + "x".repeat(101), "`--match` takes at most 100 characters");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            assertThat(text(c.getKey())).as(c.getKey()).contains(c.getValue());
        }
        assertThat(text("set my_flag 25 --staging"))
                .contains("Usage:", "run feature set <name> <true|false|percentage>");
        for (GitLabStandIn gitlab : List.of(staging, production)) {
            assertThat(gitlab.recorded()).as("requests").isEmpty();
        }
    }

    @Test
    void delete_is_idempotent_and_says_when_there_was_nothing_to_delete() throws IOException {
        staging.setFeature("my_flag", "true");

        assertThat(text("delete my_flag --staging"))
                .contains("<@UBOSS> deleted `my_flag`", "`my_flag`: on → *deleted (its default applies)*");
        assertThat(staging.feature("my_flag")).isEmpty();
        assertThat(text("delete my_flag --staging")).contains("there was no `my_flag` to delete; nothing was changed");
        assertThat(staging.recorded().stream().filter(r -> r.method().equals("DELETE"))).hasSize(1);
    }

    @Test
    void deleting_on_production_runs_the_production_check_and_is_logged() throws IOException {
        production.setFeature("my_flag", "true");

        List<CaptureServer.Post> posts = run("delete my_flag");

        assertThat(CaptureServer.textOf(posts.get(0))).contains("Production check initiated");
        assertThat(CaptureServer.textOf(last(posts))).contains("on → *deleted (its default applies)*", "logged in <");
        assertThat(ops.issues(FLAG_LOG))
                .singleElement()
                .satisfies(i -> assertThat(i.title()).contains("my_flag was deleted"));
    }

    // ------------------------------------------------------------------ the production log

    @Test
    void every_production_change_is_announced_and_logged_as_a_closed_issue_with_host_and_change_labels()
            throws IOException {
        staging.setFeature("my_flag", "true");

        List<CaptureServer.Post> posts = run("set my_flag true");

        String requestId = requestIdOf(posts);
        assertThat(webhookTexts())
                .singleElement()
                .satisfies(t -> assertThat(t)
                        .contains(
                                "@boss (<@UBOSS>) set `my_flag` on *production* " + "(127.0.0.1): not set → on",
                                "Request id: `" + requestId + "`"));
        GitLabStandIn.Issue issue = ops.issues(FLAG_LOG).get(0);
        assertThat(issue.state()).isEqualTo("closed");
        assertThat(issue.labels()).containsExactly("host::127.0.0.1", "change");
        assertThat(issue.title()).isEqualTo("Feature flag my_flag was set on 127.0.0.1: on");
        assertThat(issue.description())
                .contains(
                        "| Who | @boss (Slack `UBOSS`) |",
                        "| Before | not set |",
                        "| After | on |",
                        "| Overrides | none |",
                        "| Request id | `" + requestId + "` |");
        assertThat(CaptureServer.textOf(last(posts))).contains("announced in the log channel", "logged in <");
        assertThat(auditDetail(posts)).contains("production not set → on", "announced", "log issue #1");
        assertThat(text("set my_flag false --staging --ignore-feature-flag-consistency-check"))
                .doesNotContain("logged");
        assertThat(ops.issues(FLAG_LOG)).hasSize(1);
    }

    @Test
    void a_failing_log_never_undoes_or_hides_the_change_and_is_retried_and_audited() throws IOException {
        staging.setFeature("my_flag", "true");
        slack.answerNextOn("/services/T0/B0/hook-secret-part", CaptureServer.Answer.status(500),
                CaptureServer.Answer.status(500), CaptureServer.Answer.status(500));
        ops.failNext("POST /api/v4/projects/" + FLAG_LOG.replace("/", "%2F") + "/issues", 403, 1);

        List<CaptureServer.Post> posts = run("set my_flag true");

        assertThat(production.feature("my_flag").orElseThrow()).containsEntry("state", "on");
        assertThat(slack.postsTo("/services/T0/B0/hook-secret-part")).hasSize(3);
        String reply = CaptureServer.textOf(last(posts));
        assertThat(reply)
                .contains(
                        "`my_flag`: not set → *on*",
                        ":warning: the log channel announcement failed (Slack answered 500",
                        "after 3 attempts",
                        ":warning: the log issue in `" + FLAG_LOG + "` could not be written (GitLab answered 403)");
        assertThat(auditDetail(posts)).contains("announcement failed", "log issue failed: GitLab answered 403");
        assertThat(reply).doesNotContain("hook-secret-part");
    }

    @Test
    void a_log_issue_whose_creation_failed_on_the_way_back_is_not_created_twice() throws IOException {
        staging.setFeature("my_flag", "true");
        ops.failAfterNext("POST /api/v4/projects/" + FLAG_LOG.replace("/", "%2F") + "/issues", 502, 1);

        assertThat(text("set my_flag true")).contains("logged in <");

        assertThat(ops.issues(FLAG_LOG)).singleElement().satisfies(i -> assertThat(i.state()).isEqualTo("closed"));
        assertThat(ops.recorded().stream().filter(r -> r.method().equals("POST"))).hasSize(1);
    }

    @Test
    void a_log_issue_create_that_times_out_is_not_tried_again_and_the_reply_says_so() throws Exception {
        staging.setFeature("my_flag", "true");
        ops.stallNext("POST /api/v4/projects/" + FLAG_LOG.replace("/", "%2F") + "/issues", Duration.ofSeconds(3), 1);

        String reply = text("set my_flag true");

        assertThat(reply).contains("`my_flag`: not set → *on*", "GitLab did not answer in time; not tried again");
        Thread.sleep(1500);
        assertThat(ops.issues(FLAG_LOG)).hasSize(1);
        assertThat(ops.recorded().stream().filter(r -> r.method().equals("POST"))).hasSize(1);
    }

    @Test
    void a_command_run_again_finds_its_log_issue_instead_of_writing_a_second_one() throws IOException {
        staging.setFeature("my_flag", "true");
        CommandRequest request = request("set my_flag true", "/r/" + UUID.randomUUID());
        invoke(request);
        // A run cut short after it logged (Lambda's timeout) leaves its claim to expire; the retry runs it again.
        try (DynamoDbClient dynamo = DynamoDbClient.builder().httpClient(UrlConnectionHttpClient.create()).build()) {
            dynamo.deleteItem(b -> b.tableName(aws.ref("RequestsTable"))
                    .key(Map.of("requestId", AttributeValue.fromS(request.requestId()))));
        }
        invoke(request);

        assertThat(ops.issues(FLAG_LOG))
                .singleElement()
                .satisfies(i -> assertThat(i.description()).contains(request.requestId()));
    }

    @Test
    void a_production_change_with_no_log_channel_configured_is_refused_and_other_instances_go_ahead()
            throws IOException {
        function = function(Map.of("FEATURE_LOG_WEBHOOK_SECRET_ID", ""));

        String reply = text("set my_flag true --staging --production --ignore-feature-flag-consistency-check");

        assertThat(reply)
                .contains(
                        "*staging* (`127.0.0.1`) — `my_flag`: not set → *on*",
                        "• Production changes are announced " + "in the log channel, and none is configured");
        assertThat(production.feature("my_flag")).isEmpty();
    }

    @Test
    void checks_with_nothing_configured_to_check_against_block_and_only_none_turns_them_off() throws IOException {
        function = function(Map.of("FEATURE_INCIDENT_PROJECT", "", "GITLAB_INSTANCES",
                "ops=" + ops.baseUrl() + ",production=" + production.baseUrl()));
        assertThat(text("set my_flag true"))
                .contains(
                        "• Consistency check: no staging instance is configured to compare with",
                        "• Production check: no incident project is configured (FEATURE_INCIDENT_PROJECT)");
        assertThat(production.feature("my_flag")).isEmpty();

        function = function(Map.of(
                "FEATURE_INCIDENT_PROJECT",
                "none",
                "FEATURE_STAGING_INSTANCE",
                "none",
                "GITLAB_INSTANCES",
                "ops=" + ops.baseUrl() + ",production=" + production.baseUrl()));
        assertThat(text("set my_flag true")).contains("→ *on*", "Consistency check: turned off by configuration",
                "Production check: turned off by configuration");
    }

    @Test
    void an_unexpected_failure_on_one_instance_does_not_hide_a_production_change_already_made() throws IOException {
        production.setFeature("my_flag", "true");
        staging.setFeature("my_flag", "true");
        String tokens = "feature-tokens-" + UUID.randomUUID();
        try (SecretsManagerClient secrets = SecretsManagerClient.builder()
                .httpClient(UrlConnectionHttpClient.create())
                .build()) {
            secrets.createSecret(b -> b.name(tokens).secretString("{\"ops\":\"" + MotoExtension.GITLAB_TOKEN
                    + "\",\"production\":\"" + MotoExtension.GITLAB_TOKEN + "\"}"));
        }
        function = function(Map.of("GITLAB_TOKENS_SECRET_ID", tokens));

        List<CaptureServer.Post> posts = run("set my_flag false --staging --production");
        String reply = CaptureServer.textOf(last(posts));

        assertThat(production.feature("my_flag").orElseThrow()).containsEntry("state", "off");
        assertThat(reply).contains("*production* (`127.0.0.1`) — `my_flag`: on → *off*", "logged in <",
                ":x: *staging* (`127.0.0.1`) — failed unexpectedly; whether `my_flag` changed there is not known");
        assertThat(auditDetail(posts)).contains("production on → off", "staging failed: ConfigurationException");
    }

    @Test
    void an_instance_is_not_started_when_the_command_is_out_of_time() throws IOException {
        staging.setFeature("my_flag", "true");
        String path = "/r/" + UUID.randomUUID();
        invoke(request("set my_flag true --staging --production", path), Duration.ofSeconds(16));

        String reply = CaptureServer.textOf(last(slack.postsTo(path)));
        assertThat(reply).contains("not attempted: the command ran out of time");
        assertThat(production.feature("my_flag")).isEmpty();
    }

    @Test
    void a_hundred_percent_of_time_counts_as_fully_on_for_the_consistency_check() throws IOException {
        staging.setFeatureFor("my_flag", true, "user", "bob");

        assertThat(text("set my_flag 100 --random --ignore-random-deprecation-check")).contains("only partly on");
        assertThat(production.feature("my_flag")).isEmpty();
    }

    @Test
    void a_feature_group_is_one_name() throws IOException {
        assertThat(text("set my_flag true --feature-group=gitlab_team_members,other --staging"))
                .contains("`--feature-group` takes one feature group, not a list");
        assertThat(staging.recorded()).isEmpty();
    }

    @Test
    void deleting_a_flag_whose_default_is_on_counts_as_enabling_production() throws IOException {
        production.defineFeature("my_flag", "gitlab_com_derisk", true);
        production.setFeature("my_flag", "false");

        assertThat(text("delete my_flag"))
                .contains("• Consistency check (its default is on): staging has `my_flag` not set");
        assertThat(production.feature("my_flag")).isPresent();

        staging.setFeature("my_flag", "true");
        assertThat(text("delete my_flag")).contains("off → *deleted (its default applies: on)*");
    }

    @Test
    void a_number_that_is_a_username_and_an_id_is_refused_as_ambiguous() throws IOException {
        long bobId = staging.user("bob").orElseThrow().id();
        staging.addUser(Long.toString(bobId), true);

        assertThat(text("set my_flag true --user=" + bobId + " --staging"))
                .contains("is both a username and the id of user `bob`");
        assertThat(staging.feature("my_flag")).isEmpty();
        assertThat(text("set my_flag true --project=" + staging.addProject("gitlab-org/other") + " --staging"))
                .contains("is project `gitlab-org/other` here");
    }

    // ------------------------------------------------------------------ list and get

    @Test
    void list_shows_enabled_and_disabled_flags_in_two_sections_with_counts_and_the_host() throws IOException {
        production.setFeature("alpha", "true");
        production.setFeature("beta", "false");
        production.setFeatureFor("gamma", true, "user", "bob");

        String list = text("list");

        assertThat(list).contains("*Feature flags on production* (`127.0.0.1`): 2 enabled, 1 disabled", "*Enabled (2)*",
                "alpha  on", "gamma  on for 1 user", "*Disabled (1)*", "beta");
        assertThat(text("list --match=AL")).contains("matching `AL`: 1 enabled, 0 disabled", "Disabled: none");
        // Listing only reads: with the read-only token, never the one that can write.
        assertThat(production.recorded()).filteredOn(r -> r.path().contains("/features")).isNotEmpty()
                .allSatisfy(r -> assertThat(r.readOnlyToken()).as(r.method() + " " + r.path()).isTrue());
    }

    @Test
    void a_long_list_is_paged_across_posts_and_says_how_many_rows_it_left_out() throws IOException {
        for (int i = 0; i < FlagReader.MAX_ROWS + 120; i++) {
            production.setFeature(String.format("flag_with_a_fairly_long_name_%05d", i), "true");
        }

        List<CaptureServer.Post> posts = run("list");
        String all = String.join("\n", posts.stream().map(CaptureServer::textOf).toList());

        assertThat(posts.size()).isBetween(1, 5);
        assertThat(all)
                .contains(
                        "*Enabled (" + (FlagReader.MAX_ROWS + 120) + ")*",
                        "flag_with_a_fairly_long_name_00000",
                        "flag_with_a_fairly_long_name_0" + (FlagReader.MAX_ROWS - 1),
                        "… and 120 more enabled flags not shown");
        for (CaptureServer.Post post : posts) {
            assertThat((List<?>) post.json().get("blocks")).hasSizeLessThanOrEqualTo(50);
        }
    }

    @Test
    void get_of_a_flag_gitlab_does_not_store_says_its_default_applies_on_each_instance() throws IOException {
        staging.setFeature("my_flag", "true");

        String card = text("get my_flag --staging --production");

        assertThat(card)
                .contains(
                        "*`my_flag`* on staging (`127.0.0.1`): *on*",
                        "*`my_flag`* on production (`127.0.0.1`): " + "*not set (its default applies)*");
        for (GitLabStandIn instance : List.of(staging, production)) {
            assertThat(instance.recorded()).isNotEmpty()
                    .allSatisfy(r -> assertThat(r.readOnlyToken()).as(r.method() + " " + r.path()).isTrue());
        }
    }

    @Test
    void markup_typed_as_a_flag_name_or_value_comes_back_as_typed_never_as_a_mention_or_a_link() throws IOException {
        String get = text("get <!channel> --staging");
        String link = text("get <https://evil.example|click> --staging");
        String value = text("set my_flag a&b --staging");

        assertThat(get).contains("`&lt;!channel&gt;` is not a feature flag name");
        assertThat(link).contains("`&lt;https://evil.example|click&gt;` is not a feature flag name");
        assertThat(value).contains("`a&amp;b` is not a value");
        for (String reply : List.of(get, link, value)) {
            assertThat(reply).doesNotContain("<!channel>", "<https://evil", "a&b");
        }
    }

    // ------------------------------------------------------------------ GitLab failing

    @Test
    void each_gitlab_error_class_becomes_a_plain_sentence() throws IOException {
        Map<Integer, String> sentences = Map.of(
                401, "refused ChatOps's API token (401)",
                403, "does not let ChatOps's token do this (403)",
                404, "has no such resource (404",
                422, "refused it: 422 Unprocessable Entity. Nothing was changed.",
                500,
                        "failed (500): the change may or may not have been made. Check with `feature get my_flag"
                                + " --staging`.");
        for (Map.Entry<Integer, String> c : sentences.entrySet()) {
            staging.failNext("POST /api/v4/features", c.getKey(), 1);
            assertThat(text("set my_flag true --staging"))
                    .as("status %d", c.getKey())
                    .contains("GitLab on staging " + c.getValue());
        }
        assertThat(staging.recorded().stream().filter(r -> r.method().equals("POST")))
                .as("writes are never retried")
                .hasSize(5);
    }

    @Test
    void reads_are_retried_when_gitlab_fails_for_a_moment() throws IOException {
        staging.failNext("GET /api/v4/features", 503, 1);

        assertThat(text("get my_flag --staging")).contains("*not set (its default applies)*");
        assertThat(staging.recorded().stream().filter(r -> r.method().equals("GET"))).hasSize(2);

        staging.failNext("GET /api/v4/features", 503, 5);
        String failed = text("get my_flag --staging");
        assertThat(failed).contains("GitLab on staging failed (503). Try again in a minute");
    }

    @Test
    void a_write_that_times_out_says_the_change_may_have_been_made_and_how_to_check() throws IOException {
        staging.stallNext("POST /api/v4/features", Duration.ofSeconds(3), 1);

        assertThat(text("set my_flag true --staging"))
                .contains("GitLab on staging did not answer in time: the change may or "
                        + "may not have been made. Check with `feature get my_flag --staging`.");
        assertThat(staging.recorded().stream().filter(r -> r.method().equals("POST"))).hasSize(1);
    }

    @Test
    void one_instance_failing_does_not_stop_the_others_and_each_is_reported() throws IOException {
        staging.failNext("POST /api/v4/features", 500, 1);

        String reply = text("set my_flag true --staging --ops");

        assertThat(reply).contains(":x: *staging*", ":white_check_mark: *ops*");
        assertThat(ops.feature("my_flag").orElseThrow()).containsEntry("state", "on");
    }

    // ------------------------------------------------------------------ requests to DynamoDB

    @Test
    void a_production_change_reads_the_callers_link_once_and_logs_the_gitlab_account_the_authoriser_proved()
            throws IOException {
        run("set my_flag 25 --actors --staging");
        CountedDynamoDb dynamo = new CountedDynamoDb();
        Env env = Env.of(aws.functionEnvironment(
                "FeatureFunction",
                Map.of(
                        RuntimeConfig.RESPONSE_URL_ALLOW,
                        "http://127.0.0.1",
                        "GITLAB_INSTANCES",
                        "ops=" + ops.baseUrl() + ",staging=" + staging.baseUrl() + ",production="
                                + production.baseUrl(),
                        "CHATOPS_PROJECT",
                        "ops/chatops",
                        RuntimeConfig.PRODUCTION_CHANNELS,
                        "CPROD",
                        "FEATURE_INCIDENT_PROJECT",
                        "production:" + INCIDENTS,
                        "FEATURE_LOG_PROJECT",
                        "ops:" + FLAG_LOG,
                        "FEATURE_LOG_WEBHOOK_SECRET_ID",
                        webhookSecret,
                        "GITLAB_TIMEOUT_SECONDS",
                        "2",
                        RuntimeConfig.APPROVALS,
                        "none")));
        function = new FeatureFunction(new Services(env, dynamo.client(), Clock.systemUTC(),
                ResponseUrlClient.standard(RuntimeConfig.from(env).responseUrls())), duration -> { });

        String reply = text("set my_flag 25 --actors");

        assertThat(reply).contains("*production* (`127.0.0.1`) — `my_flag`: not set → *on for 25% of actors*");
        assertThat(webhookTexts()).anySatisfy(text -> assertThat(text).contains("@boss"));
        System.out.println("DynamoDB requests for one production `feature set`: " + dynamo.requests().size() + " "
                + dynamo.requests());
        assertThat(dynamo.requests()).as("reads of the caller's link")
                .filteredOn(r -> r.equals("GetItem slack#" + team + "#UBOSS")).hasSize(1);
    }

    // ------------------------------------------------------------------ helpers

    private String text(String line) throws IOException {
        return CaptureServer.textOf(last(run(line)));
    }

    private static CaptureServer.Post last(List<CaptureServer.Post> posts) {
        return posts.get(posts.size() - 1);
    }

    private final Map<List<CaptureServer.Post>, String> requestIds = new IdentityHashMap<>();

    private CommandRequest request(String line, String path) {
        List<String> words = Arrays.asList(line.split(" "));
        List<String> args = words.stream().filter(w -> !w.startsWith("--")).toList();
        Map<String, String> options = new LinkedHashMap<>();
        words.stream().filter(w -> w.startsWith("--")).forEach(w -> {
            int eq = w.indexOf('=');
            options.put(eq < 0 ? w.substring(2) : w.substring(2, eq), eq < 0 ? null : w.substring(eq + 1));
        });
        return new CommandRequest(
                UUID.randomUUID().toString(),
                team,
                "",
                user,
                user.equals("UBOSS") ? "boss" : "dev",
                channel,
                "production",
                "/chatops",
                "feature",
                args,
                options,
                "feature " + line,
                slack.url(path),
                Instant.now());
    }

    private void invoke(CommandRequest request) throws IOException {
        invoke(request, Duration.ofSeconds(60));
    }

    private void invoke(CommandRequest request, Duration timeout) throws IOException {
        function.handleRequest(new ByteArrayInputStream(request.toJson().getBytes(StandardCharsets.UTF_8)),
                new ByteArrayOutputStream(), new LocalLambdaContext("FeatureFunction", timeout));
    }

    private List<CaptureServer.Post> run(String line) throws IOException {
        List<String> words = Arrays.asList(line.split(" "));
        List<String> args = words.stream().filter(w -> !w.startsWith("--")).toList();
        Map<String, String> options = new LinkedHashMap<>();
        words.stream().filter(w -> w.startsWith("--")).forEach(w -> {
            int eq = w.indexOf('=');
            options.put(eq < 0 ? w.substring(2) : w.substring(2, eq), eq < 0 ? null : w.substring(eq + 1));
        });
        String path = "/r/" + UUID.randomUUID();
        String requestId = UUID.randomUUID().toString();
        CommandRequest request = new CommandRequest(
                requestId,
                team,
                "",
                user,
                user.equals("UBOSS") ? "boss" : "dev",
                channel,
                "production",
                "/chatops",
                "feature",
                args,
                options,
                "feature " + line,
                slack.url(path),
                Instant.now());
        function.handleRequest(new ByteArrayInputStream(request.toJson().getBytes(StandardCharsets.UTF_8)),
                new ByteArrayOutputStream(), new LocalLambdaContext("FeatureFunction", Duration.ofSeconds(60)));
        List<CaptureServer.Post> posts = slack.postsTo(path);
        assertThat(posts).as(line).isNotEmpty();
        requestIds.put(posts, requestId);
        return posts;
    }

    private String requestIdOf(List<CaptureServer.Post> posts) {
        return requestIds.get(posts);
    }

    private List<String> webhookTexts() {
        return slack.postsTo("/services/T0/B0/hook-secret-part").stream()
                .map(p -> String.valueOf(p.json().get("text")))
                .toList();
    }

    private String auditDetail(List<CaptureServer.Post> posts) {
        try (DynamoDbClient dynamo = DynamoDbClient.builder().httpClient(UrlConnectionHttpClient.create()).build()) {
            List<Map<String, AttributeValue>> items = dynamo.query(b -> b.tableName(aws.ref("AuditTable"))
                    .keyConditionExpression("requestId = :id")
                    .expressionAttributeValues(Map.of(":id", AttributeValue.fromS(requestIdOf(posts))))).items();
            assertThat(items).hasSize(1);
            return items.get(0).get("detail").s();
        }
    }
}
