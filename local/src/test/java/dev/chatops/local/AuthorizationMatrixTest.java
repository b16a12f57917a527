package dev.chatops.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatops.autodeploy.AutoDeployFunction;
import dev.chatops.explain.ExplainFunction;
import dev.chatops.feature.FeatureFunction;
import dev.chatops.member.MemberFunction;
import dev.chatops.shared.ClickRequest;
import dev.chatops.shared.CommandRequest;
import dev.chatops.shared.Env;
import dev.chatops.shared.access.AccessStore;
import dev.chatops.shared.access.Link;
import dev.chatops.shared.command.Role;
import dev.chatops.shared.runtime.CommandFunction;
import dev.chatops.shared.runtime.RuntimeConfig;
import dev.chatops.shared.runtime.Services;
import dev.chatops.testing.CaptureServer;
import dev.chatops.testing.GitLabStandIn;
import dev.chatops.testing.LocalAws;
import dev.chatops.testing.LocalLambdaContext;
import dev.chatops.testing.MotoExtension;
import dev.chatops.testing.SecretsNotLogged;
import dev.chatops.user.UserFunction;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * Every command form × the caller's level on the chatops project (none … owner) × linked or not ×
 * 2FA on or off × instance flag: a combination the access table does not allow is answered with a
 * refusal, audited as denied, and changes nothing on GitLab or in DynamoDB. And approving: the
 * clicker's level × linked or not × 2FA × whether they are the requester — only a linked
 * maintainer or owner with 2FA who did not ask approves, and only then does the change happen.
 */
@ExtendWith({MotoExtension.class, SecretsNotLogged.class})
class AuthorizationMatrixTest {
    @RegisterExtension
    static final GitLabStandIn gitlab = new GitLabStandIn();
    @RegisterExtension
    static final GitLabStandIn production = new GitLabStandIn();
    @RegisterExtension
    static final CaptureServer slack = new CaptureServer();

    /** A form, what it needs (and on production, where it may need more), and how to call it. */
    private record Case(String command, List<String> args, Role needs, Role onProduction) {
        Case(String command, List<String> args, Role needs) {
            this(command, args, needs, needs);
        }

        Role needsOn(String instance) {
            return instance.equals("production") ? onProduction : needs;
        }
    }

    private static final List<Case> CASES = List.of(
            new Case("whoami", List.of(), Role.ANYONE),
            new Case("user", List.of("find", "victim"), Role.ANYONE),
            new Case("unlink", List.of(), Role.ANYONE),
            new Case("audit", List.of(), Role.MAINTAINER),
            new Case("member", List.of("list", "ops/chatops"), Role.DEVELOPER),
            new Case("member", List.of("add", "target", "ops/chatops"), Role.MAINTAINER),
            new Case("member", List.of("remove", "victim", "ops/chatops"), Role.MAINTAINER),
            new Case("feature", List.of("list"), Role.DEVELOPER),
            new Case("feature", List.of("get", "matrix_flag"), Role.DEVELOPER),
            new Case("feature", List.of("set", "matrix_flag", "true"), Role.DEVELOPER, Role.MAINTAINER),
            new Case("feature", List.of("delete", "matrix_flag"), Role.DEVELOPER, Role.MAINTAINER),
            new Case("explain", List.of("SELECT 1"), Role.DEVELOPER),
            new Case("auto_deploy", List.of("status"), Role.DEVELOPER));

    private CommandFunction users;
    private CommandFunction members;
    private CommandFunction features;
    private CommandFunction explains;
    private CommandFunction deploys;
    private AccessStore access;
    private DynamoDbClient dynamo;
    private String auditTable;

    static Stream<Arguments> callers() {
        List<Arguments> callers = new ArrayList<>();
        for (int level : new int[] {0, 10, 20, 30, 40, 50}) {
            for (boolean linked : new boolean[] {false, true}) {
                for (boolean twoFactor : new boolean[] {false, true}) {
                    for (String instance : new String[] {"ops", "production"}) {
                        callers.add(Arguments.of(level, linked, twoFactor, instance));
                    }
                }
            }
        }
        return callers.stream();
    }

    @BeforeEach
    void setUp(LocalAws aws) {
        gitlab.addAdminToken(MotoExtension.GITLAB_TOKEN);
        gitlab.addReadOnlyToken(MotoExtension.GITLAB_READ_TOKEN);
        gitlab.addProject("ops/chatops");
        production.addAdminToken(MotoExtension.GITLAB_TOKEN);
        production.addReadOnlyToken(MotoExtension.GITLAB_READ_TOKEN);
        production.addProject("ops/chatops");
        Map<String, String> overrides = Map.of(
                RuntimeConfig.RESPONSE_URL_ALLOW, "http://127.0.0.1",
                "GITLAB_INSTANCES", "ops=" + gitlab.baseUrl() + ",production=" + production.baseUrl(),
                "CHATOPS_PROJECT", "ops/chatops",
                "MEMBER_PATHS", "ops:ops/chatops,production:ops/chatops");
        users = new UserFunction(Services.fromEnvironment(Env.of(aws.functionEnvironment("UserFunction", overrides))));
        Services memberServices =
                Services.fromEnvironment(Env.of(aws.functionEnvironment("MemberFunction", overrides)));
        members = new MemberFunction(memberServices);
        String webhook = "matrix-webhook-" + UUID.randomUUID();
        try (SecretsManagerClient secrets = SecretsManagerClient.builder()
                .httpClient(UrlConnectionHttpClient.create())
                .build()) {
            secrets.createSecret(b -> b.name(webhook).secretString(slack.url("/log-channel")));
        }
        Map<String, String> featureEnv = new LinkedHashMap<>(overrides);
        // The checks have their own tests; here only the role decides.
        featureEnv.putAll(Map.of("FEATURE_STAGING_INSTANCE", "none", "FEATURE_INCIDENT_PROJECT", "none",
                "FEATURE_LOG_WEBHOOK_SECRET_ID", webhook));
        features = new FeatureFunction(
                Services.fromEnvironment(Env.of(aws.functionEnvironment("FeatureFunction", featureEnv))));
        // In one JVM there is no UserFunction for explain to ask (IamEnforcementTest runs that path in the local
        // stack): the same check, GitLabAccessCheck, is made here with the read-only token.
        Map<String, String> explainEnv = new LinkedHashMap<>(overrides);
        explainEnv.putAll(Map.of(
                Services.ACCESS_CHECK_FUNCTION, "", "GITLAB_READ_TOKENS_SECRET_ID", aws.ref("GitLabReadTokensSecret")));
        explains = new ExplainFunction(
                Services.fromEnvironment(Env.of(aws.functionEnvironment("ExplainFunction", explainEnv))));
        deploys = new AutoDeployFunction(
                Services.fromEnvironment(Env.of(aws.functionEnvironment("AutoDeployFunction", overrides))));
        access = memberServices.access();
        dynamo = DynamoDbClient.builder().httpClient(UrlConnectionHttpClient.create()).build();
        auditTable = aws.ref("AuditTable");
    }

    @ParameterizedTest(name = "level {0}, linked {1}, 2FA {2}, --{3}")
    @MethodSource("callers")
    void no_disallowed_combination_acts_or_changes_state(int level, boolean linked, boolean twoFactor, String instance)
            throws IOException {
        String team = "T" + UUID.randomUUID().toString().substring(0, 8);
        long caller = gitlab.addUser("caller", twoFactor).id();
        if (level > 0) {
            gitlab.addMember("ops/chatops", "caller", level);
        }
        for (GitLabStandIn server : List.of(gitlab, production)) {
            server.addUser("target", true);
            server.addUser("victim", true);
            server.addMember("ops/chatops", "victim", 30);
        }
        GitLabStandIn acted = instance.equals("ops") ? gitlab : production;

        for (Case c : CASES) {
            if (linked && access.findLink(team, "UCALLER").isEmpty()) {
                access.link(Link.of(team, "UCALLER", "ops", caller, "caller", Instant.now()));
            }
            Role needs = c.needsOn(instance);
            boolean allowed = needs == Role.ANYONE || linked && twoFactor && level >= needs.accessLevel();
            Optional<Integer> targetBefore = acted.accessLevel("ops/chatops", "target");
            Optional<Integer> victimBefore = acted.accessLevel("ops/chatops", "victim");
            Optional<Map<String, Object>> flagBefore = acted.feature("matrix_flag");

            String path = "/r/" + UUID.randomUUID();
            CommandRequest request = request(team, c, instance, slack.url(path));
            (c.command().equals("member")
                            ? members
                            : c.command().equals("feature")
                                    ? features
                                    : c.command().equals("explain")
                                            ? explains
                                            : c.command().equals("auto_deploy") ? deploys : users)
                    .handleRequest(
                            new ByteArrayInputStream(request.toJson().getBytes(StandardCharsets.UTF_8)),
                            new ByteArrayOutputStream(),
                            new LocalLambdaContext("matrix", Duration.ofSeconds(30)));

            String reply = CaptureServer.textOf(slack.postsTo(path).get(0));
            String decision = auditDecision(request.requestId());
            String what = c.command() + " " + c.args() + " at level " + level + ", linked " + linked + ", 2FA "
                    + twoFactor + ", --" + instance;
            if (allowed) {
                assertThat(reply).as(what).doesNotContain(":no_entry:");
                assertThat(decision).as(what).isEqualTo("allowed");
            } else {
                assertThat(reply).as(what).contains(":no_entry:");
                assertThat(decision).as(what).isEqualTo("denied");
                assertThat(acted.accessLevel("ops/chatops", "target")).as(what).isEqualTo(targetBefore);
                assertThat(acted.accessLevel("ops/chatops", "victim")).as(what).isEqualTo(victimBefore);
                assertThat(acted.feature("matrix_flag")).as(what).isEqualTo(flagBefore);
            }
            // Put back what an allowed change did, so the next form starts from the same state.
            if (acted.accessLevel("ops/chatops", "target").isPresent()) {
                acted.removeMember("ops/chatops", "target");
            }
            if (acted.accessLevel("ops/chatops", "victim").isEmpty()) {
                acted.addMember("ops/chatops", "victim", 30);
            }
        }
    }

    static Stream<Arguments> clickers() {
        List<Arguments> clickers = new ArrayList<>();
        for (int level : new int[] {0, 10, 20, 30, 40, 50}) {
            for (boolean linked : new boolean[] {false, true}) {
                for (boolean twoFactor : new boolean[] {false, true}) {
                    for (boolean requester : new boolean[] {false, true}) {
                        clickers.add(Arguments.of(level, linked, twoFactor, requester));
                    }
                }
            }
        }
        return clickers.stream();
    }

    @ParameterizedTest(name = "clicker level {0}, linked {1}, 2FA {2}, the requester {3}")
    @MethodSource("clickers")
    void only_a_linked_maintainer_with_2fa_who_did_not_ask_approves(int level, boolean linked, boolean twoFactor,
                                                                    boolean requester) throws IOException {
        String team = "T" + UUID.randomUUID().toString().substring(0, 8);
        String flag = "approval_" + UUID.randomUUID().toString().substring(0, 8).replace('-', '_');
        String asker = "asker" + team.toLowerCase();
        long askerId = gitlab.addUser(asker, true).id();
        gitlab.addMember("ops/chatops", asker, 40);
        access.link(Link.of(team, "UASKER", "ops", askerId, asker, Instant.now()));
        String path = "/r/" + UUID.randomUUID();
        Case set = new Case("feature", List.of("set", flag, "true"), Role.DEVELOPER, Role.MAINTAINER);
        features.handleRequest(new ByteArrayInputStream(request(team, "UASKER", set, "production", slack.url(path))
                        .toJson().getBytes(StandardCharsets.UTF_8)), new ByteArrayOutputStream(),
                new LocalLambdaContext("matrix", Duration.ofSeconds(30)));
        List<CaptureServer.Post> asked = slack.postsTo(path);
        List<CaptureServer.Button> buttons = asked.isEmpty() ? List.of()
                : CaptureServer.buttonsOf(asked.get(asked.size() - 1));
        assertThat(buttons).as("the approval request: %s", asked.stream().map(CaptureServer::textOf).toList())
                .hasSize(2);

        String clicker = requester ? "UASKER" : "UCLICKER";
        String username = requester ? asker : "clicker" + team.toLowerCase();
        if (requester) {
            gitlab.setTwoFactor(asker, twoFactor);
            gitlab.removeMember("ops/chatops", asker);
            if (!linked) {
                access.unlink(team, "UASKER");
            }
        } else {
            long id = gitlab.addUser(username, twoFactor).id();
            if (linked) {
                access.link(Link.of(team, "UCLICKER", "ops", id, username, Instant.now()));
            }
        }
        if (level > 0) {
            gitlab.addMember("ops/chatops", username, level);
        }
        String clickPath = "/c/" + UUID.randomUUID();
        String clickId = "sc-" + UUID.randomUUID();
        features.handleRequest(new ByteArrayInputStream(new ClickRequest(clickId, team, "", clicker, username, "C1",
                        "feature", "approve", buttons.get(0).value(), slack.url(clickPath), Instant.now()).toJson()
                        .getBytes(StandardCharsets.UTF_8)), new ByteArrayOutputStream(),
                new LocalLambdaContext("matrix", Duration.ofSeconds(30)));

        boolean approves = !requester && linked && twoFactor && level >= Role.MAINTAINER.accessLevel();
        String what = "level " + level + ", linked " + linked + ", 2FA " + twoFactor + ", requester " + requester;
        String answer = CaptureServer.textOf(slack.postsTo(clickPath).get(slack.postsTo(clickPath).size() - 1));
        if (approves) {
            assertThat(auditDecision(clickId)).as(what).isEqualTo("approved");
            assertThat(answer).as(what).contains("Approved by <@UCLICKER>");
            assertThat(production.feature(flag)).as(what).isPresent();
        } else {
            assertThat(auditDecision(clickId)).as(what).isEqualTo("denied");
            assertThat(answer).as(what).startsWith(":no_entry:").contains("Nothing was changed.");
            assertThat(production.feature(flag)).as(what).isEmpty();
        }
    }

    private static CommandRequest request(String team, String user, Case c, String instance, String responseUrl) {
        Map<String, String> options = new LinkedHashMap<>();
        options.put(instance, null);
        return new CommandRequest(UUID.randomUUID().toString(), team, "", user, user.toLowerCase(), "C1", "ops",
                "/chatops", c.command(), c.args(), options, String.join(" ", c.args()), responseUrl, Instant.now());
    }

    private static CommandRequest request(String team, Case c, String instance, String responseUrl) {
        Map<String, String> options = new LinkedHashMap<>();
        if (!List.of("whoami", "unlink", "audit", "auto_deploy").contains(c.command())) {
            options.put(instance, null);
        }
        return new CommandRequest(UUID.randomUUID().toString(), team, "", "UCALLER", "caller", "C1", "ops", "/chatops",
                c.command(), c.args(), options, String.join(" ", c.args()), responseUrl, Instant.now());
    }

    private String auditDecision(String requestId) {
        List<Map<String, AttributeValue>> items = dynamo.query(b -> b.tableName(auditTable)
                .keyConditionExpression("requestId = :id")
                .expressionAttributeValues(Map.of(":id", AttributeValue.fromS(requestId)))).items();
        assertThat(items).hasSize(1);
        return items.get(0).get("decision").s();
    }
}
