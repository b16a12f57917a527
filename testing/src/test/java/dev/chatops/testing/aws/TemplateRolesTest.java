package dev.chatops.testing.aws;

import static dev.chatops.testing.aws.LocalIds.functionArn;
import static dev.chatops.testing.aws.LocalIds.queueArn;
import static dev.chatops.testing.aws.LocalIds.secretArn;
import static dev.chatops.testing.aws.LocalIds.tableArn;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Each function's role as the transform writes it, resolved and evaluated. For the project's
 * template only what stays true as grants are added is asserted; exact grants and denials are
 * asserted on a small template of the tests' own.
 */
class TemplateRolesTest {
    static SamTemplate project;
    static SamTemplate small;

    @BeforeAll
    static void transform() throws URISyntaxException {
        project = TransformedProject.SAM;
        small = SamTemplate.transform(
                Path.of(TemplateRolesTest.class
                        .getResource("small-template.yaml")
                        .toURI()),
                Map.of());
    }

    private static IamPolicy role(SamTemplate template, String function) {
        return IamPolicy.ofRole(
                template.roleOf(function), new Intrinsics(template, Map.of(), LocalIds.PSEUDO, new LocalIds(template)));
    }

    @Test
    void everyRole_resolves_andItsManagedPoliciesAreKnown() {
        for (String function : project.functions().keySet()) {
            IamPolicy policy = role(project, function);
            assertThat(policy.allows(
                            "logs:PutLogEvents", "arn:aws:logs:us-east-1:123456789012:log-group:/x:log-stream:y"))
                    .as(function + " writes its logs (AWSLambdaBasicExecutionRole)")
                    .isTrue();
        }
        assertThat(project.roleOf("ExplainFunction").managedPolicyArns())
                .contains("arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole");
        assertThat(project.roleOf("CommandFailureFunction").managedPolicyArns())
                .contains("arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole");
    }

    @Test
    void gateway_mayInvokeTheFiveCommandFunctions_andTheirLiveAliases_only() {
        IamPolicy gateway = role(project, "GatewayFunction");

        for (String function : SamTemplateTest.COMMAND_FUNCTIONS) {
            assertThat(gateway.allows("lambda:InvokeFunction", functionArn(function))).as(function).isTrue();
            // LambdaInvokePolicy grants function:${functionName}*, which covers the qualified alias ARN
            assertThat(gateway.allows("lambda:InvokeFunction", functionArn(function) + ":live"))
                    .as(function + ":live")
                    .isTrue();
        }
        assertThat(gateway.allows("lambda:InvokeFunction", functionArn("LinkFunction") + ":live")).isFalse();
        assertThat(gateway.allows("lambda:InvokeFunction", functionArn("CommandFailureFunction"))).isFalse();
        assertThat(gateway.allows("secretsmanager:GetSecretValue", secretArn("SigningSecret"))).isTrue();
        assertThat(gateway.allows("secretsmanager:GetSecretValue", secretArn("GitLabTokensSecret"))).isFalse();
        assertThat(gateway.allows("dynamodb:GetItem", tableArn("RequestsTable"))).isFalse();
    }

    @Test
    void commandFunctions_claimRequests_readTheirSecrets_andReachTheFailureQueue() {
        for (String function : SamTemplateTest.COMMAND_FUNCTIONS) {
            IamPolicy policy = role(project, function);
            assertThat(policy.allows("dynamodb:PutItem", tableArn("RequestsTable"))).as(function).isTrue();
            assertThat(policy.allows("dynamodb:PutItem", tableArn("AuditTable"))).as(function).isTrue();
            assertThat(policy.allows("secretsmanager:GetSecretValue", secretArn("GitLabReadTokensSecret"))).as(function)
                    .isEqualTo(!function.equals("ExplainFunction"));
            assertThat(policy.allows("secretsmanager:GetSecretValue", secretArn("SigningSecret")))
                    .as(function)
                    .isFalse();
            assertThat(policy.allows("sqs:SendMessage", queueArn("FailureQueue"))).as(function).isTrue();
            assertThat(policy.allows("dynamodb:DeleteTable", tableArn("AuditTable"))).as(function).isFalse();
        }
    }

    /**
     * The write tokens are held only where a command writes to GitLab: the internet-facing linking
     * pages and explain (which runs people's SQL) hold no GitLab token at all: explain asks
     * AccessCheckFunction, which does nothing else, for its callers' roles, and may invoke nothing else.
     */
    @Test
    void gitLabWriteTokens_areReadOnlyByMemberAndFeature_andLinkingHoldsNoGitLabToken() {
        List<String> writers = List.of("MemberFunction", "FeatureFunction");
        for (String function : project.functions().keySet()) {
            assertThat(role(project, function).allows("secretsmanager:GetSecretValue", secretArn("GitLabTokensSecret")))
                    .as(function + " may read the write tokens").isEqualTo(writers.contains(function));
        }
        Map<String, String> configured =
                Map.of("GitLabOAuthClientId", "app-id", "GitLabOAuthClientSecret", "app-secret");
        for (Map<String, String> parameters : List.of(Map.<String, String>of(), configured)) {
            IamPolicy link = IamPolicy.ofRole(project.roleOf("LinkFunction"),
                    new Intrinsics(project, parameters, LocalIds.PSEUDO, new LocalIds(project)));
            IamPolicy explain = IamPolicy.ofRole(project.roleOf("ExplainFunction"),
                    new Intrinsics(project, parameters, LocalIds.PSEUDO, new LocalIds(project)));
            for (String secret : project.secrets().keySet()) {
                assertThat(link.allows("secretsmanager:GetSecretValue", secretArn(secret)))
                        .as("LinkFunction reads " + secret)
                        .isEqualTo(secret.equals("LinkStateSecret")
                                || secret.equals("GitLabOAuthSecret") && parameters == configured);
                assertThat(explain.allows("secretsmanager:GetSecretValue", secretArn(secret)))
                        .as("ExplainFunction reads " + secret)
                        .isEqualTo(List.of("LinkStateSecret", "ExplainReplicasSecret")
                                .contains(secret));
            }
            assertThat(link.allows("secretsmanager:GetSecretValue", secretArn("GitLabReadTokensSecret"))).isFalse();
        }
        IamPolicy explain = role(project, "ExplainFunction");
        for (String function : project.functions().keySet()) {
            assertThat(explain.allows("lambda:InvokeFunction", functionArn(function) + ":live"))
                    .as("explain invokes " + function)
                    .isEqualTo(function.equals("AccessCheckFunction"));
        }
        for (String function :
                List.of("GatewayFunction", "LinkFunction", "ExplainFunction", "CommandFailureFunction")) {
            assertThat(role(project, function)
                            .allows("secretsmanager:GetSecretValue", secretArn("GitLabReadTokensSecret")))
                    .as(function + " may read the read-only tokens")
                    .isFalse();
        }
    }

    /** What a write of one item of the access table carries, as {@code AwsRequestAuthorization} tells it. */
    private static Map<String, List<String>> item(String key, List<String> attributes, String returnValues) {
        return Map.of(
                "dynamodb:LeadingKeys",
                List.of(key),
                "dynamodb:Attributes",
                attributes,
                "dynamodb:ReturnValues",
                List.of(returnValues));
    }

    private static boolean may(String function, String action, Map<String, List<String>> context) {
        return role(project, function).decide(action, tableArn("AccessTable"), context).allowed();
    }

    /**
     * The access table holds who is who: only UserFunction writes links; the linking pages only
     * codes and used states; explain and auto_deploy nothing; member and feature (and user) only the
     * cached level and 2FA of an existing link, so that no function but the one that links can make
     * anybody somebody else, and the read-only ones cannot raise anybody's cached role.
     */
    @Test
    void accessTable_eachFunctionWritesOnlyItsOwnKindOfItem() {
        List<String> snapshot = List.of("accessLevel", "checkedAt", "linkedAt", "pk", "twoFactor");
        List<String> link = List.of("gitlabUserId", "gitlabUsername", "instance", "linkedAt", "pk");
        for (String function : List.of(
                "UserFunction",
                "MemberFunction",
                "FeatureFunction",
                "ExplainFunction",
                "AutoDeployFunction",
                "AccessCheckFunction")) {
            boolean keeps = !List.of("ExplainFunction", "AutoDeployFunction").contains(function);
            assertThat(may(function, "dynamodb:GetItem", Map.of("dynamodb:LeadingKeys", List.of("slack#T1#U1"),
                    "dynamodb:Attributes", List.of("*all attributes*", "pk")))).as(function + " reads links").isTrue();
            assertThat(may(function, "dynamodb:UpdateItem", item("slack#T1#U1", snapshot, "NONE")))
                    .as(function + " keeps a snapshot").isEqualTo(keeps);
            for (String whom : List.of("gitlabUserId", "gitlabUsername", "instance")) {
                assertThat(may(function, "dynamodb:UpdateItem", item("slack#T1#U1", List.of(whom, "pk"), "NONE")))
                        .as(function + " rewrites whom a link names: " + whom).isFalse();
            }
            assertThat(may(function, "dynamodb:UpdateItem", item("slack#T1#U1", snapshot, "ALL_OLD")))
                    .as(function + " reads a whole link back through an update").isFalse();
            assertThat(may(function, "dynamodb:UpdateItem", item("pending#ABCD-EFGH", snapshot, "NONE")))
                    .as(function + " changes a held code").isFalse();
            assertThat(may(function, "dynamodb:PutItem", item("slack#T1#U1", link, "NONE")))
                    .as(function + " writes a link").isEqualTo(function.equals("UserFunction"));
            assertThat(may(function, "dynamodb:PutItem", item("pending#ABCD-EFGH", link, "NONE")))
                    .as(function + " holds a code").isFalse();
        }
        assertThat(may("UserFunction", "dynamodb:DeleteItem", item("pending#ABCD-EFGH", List.of("pk"), "NONE")))
                .isTrue();
        assertThat(may("UserFunction", "dynamodb:PutItem", item("state#n1", List.of("expiresAt", "pk"), "NONE")))
                .isFalse();

        assertThat(may("LinkFunction", "dynamodb:PutItem", item("pending#ABCD-EFGH", link, "NONE"))).isTrue();
        assertThat(may("LinkFunction", "dynamodb:PutItem", item("state#n1", List.of("expiresAt", "pk"), "NONE")))
                .isTrue();
        assertThat(may("LinkFunction", "dynamodb:GetItem", Map.of("dynamodb:LeadingKeys", List.of("gitlab#ops#42"))))
                .isTrue();
        for (String key : List.of("slack#T1#U1", "gitlab#ops#42")) {
            assertThat(may("LinkFunction", "dynamodb:PutItem", item(key, link, "NONE")))
                    .as("LinkFunction puts " + key)
                    .isFalse();
            assertThat(may("LinkFunction", "dynamodb:UpdateItem", item(key, List.of("pk"), "NONE")))
                    .as("LinkFunction updates " + key)
                    .isFalse();
        }
        assertThat(may(
                        "LinkFunction",
                        "dynamodb:GetItem",
                        Map.of("dynamodb:LeadingKeys", List.of("pending#ABCD-EFGH"))))
                .isFalse();
        for (String function : List.of("GatewayFunction", "CommandFailureFunction")) {
            assertThat(may(function, "dynamodb:GetItem", Map.of("dynamodb:LeadingKeys", List.of("slack#T1#U1"))))
                    .as(function)
                    .isFalse();
        }
    }

    /**
     * The approvals table: each function reads and decides only its own commands' approvals (their
     * keys start with the command), never asking for the item back through a write; only member
     * lists, and only pending access requests, through the index by command.
     */
    @Test
    void approvalsTable_eachFunctionTouchesOnlyItsOwnCommandsApprovals() {
        Map<String, List<String>> owned = Map.of("FeatureFunction", List.of("feature#ap-1"),
                "MemberFunction", List.of("member#ap-1", "access#ap-1"));
        List<String> approvals = List.of("feature#ap-1", "member#ap-1", "access#ap-1", "link#ap-1");
        for (String function : SamTemplateTest.COMMAND_FUNCTIONS) {
            IamPolicy policy = role(project, function);
            for (String key : approvals) {
                boolean own = owned.getOrDefault(function, List.of()).contains(key);
                Map<String, List<String>> read = Map.of("dynamodb:LeadingKeys", List.of(key),
                        "dynamodb:Attributes", List.of("*all attributes*", "pk"));
                assertThat(policy.decide("dynamodb:GetItem", tableArn("ApprovalsTable"), read).allowed())
                        .as(function + " reads " + key).isEqualTo(own);
                for (String write : List.of("dynamodb:PutItem", "dynamodb:UpdateItem")) {
                    assertThat(policy.decide(write, tableArn("ApprovalsTable"), item(key, List.of("pk"), "NONE"))
                            .allowed()).as(function + " " + write + " " + key).isEqualTo(own);
                    assertThat(policy.decide(write, tableArn("ApprovalsTable"), item(key, List.of("pk"), "ALL_NEW"))
                            .allowed()).as(function + " " + write + " " + key + " read back").isFalse();
                }
            }
            for (String command : List.of("access", "feature", "member")) {
                Map<String, List<String>> query = Map.of("dynamodb:LeadingKeys", List.of(command),
                        "dynamodb:Attributes", List.of("*all attributes*", "command"),
                        "dynamodb:Select", List.of("ALL_ATTRIBUTES"));
                assertThat(policy.decide("dynamodb:Query", tableArn("ApprovalsTable") + "/index/ByCommand", query)
                        .allowed()).as(function + " lists " + command)
                        .isEqualTo(function.equals("MemberFunction") && command.equals("access"));
            }
            assertThat(policy.decide("dynamodb:Scan", tableArn("ApprovalsTable"), Map.of()).allowed()).isFalse();
        }
    }

    @Test
    void linkFunction_mayReadTheOAuthSecret_onlyOnceLinkingIsConfigured() {
        IamPolicy firstDeploy = IamPolicy.ofRole(project.roleOf("LinkFunction"),
                new Intrinsics(project, Map.of(), LocalIds.PSEUDO, new LocalIds(project)));
        IamPolicy configured = IamPolicy.ofRole(
                project.roleOf("LinkFunction"),
                new Intrinsics(
                        project,
                        Map.of("GitLabOAuthClientId", "app-id", "GitLabOAuthClientSecret", "app-secret"),
                        LocalIds.PSEUDO,
                        new LocalIds(project)));

        assertThat(firstDeploy.allows("secretsmanager:GetSecretValue", secretArn("GitLabOAuthSecret"))).isFalse();
        assertThat(firstDeploy.allows("secretsmanager:GetSecretValue", secretArn("LinkStateSecret"))).isTrue();
        assertThat(configured.allows("secretsmanager:GetSecretValue", secretArn("GitLabOAuthSecret"))).isTrue();
        assertThat(configured.grants())
                .filteredOn(grant -> grant.covers("secretsmanager:GetSecretValue", secretArn("GitLabOAuthSecret")))
                .extracting(IamPolicy.Grant::sid)
                .containsExactly("ReadOAuthSecret");
        assertThat(configured.grants()).hasSize(firstDeploy.grants().size() + 1);
        for (String function : SamTemplateTest.COMMAND_FUNCTIONS) {
            assertThat(role(project, function).allows("secretsmanager:GetSecretValue", secretArn("GitLabOAuthSecret")))
                    .as(function)
                    .isFalse();
        }
    }

    @Test
    void commandFailureFunction_pollsTheFailureQueue_throughItsManagedPolicy() {
        IamPolicy policy = role(project, "CommandFailureFunction");

        assertThat(policy.allows("sqs:ReceiveMessage", queueArn("FailureQueue"))).isTrue();
        assertThat(policy.allows("sqs:DeleteMessage", queueArn("FailureQueue"))).isTrue();
        assertThat(policy.allows("sqs:SendMessage", queueArn("FailureQueue"))).isFalse();
    }

    @Test
    void grants_listTheRolesOwnStatements_bySid() {
        List<IamPolicy.Grant> grants = role(project, "UserFunction").grants();

        assertThat(grants)
                .contains(new IamPolicy.Grant(
                        "UserFunctionRolePolicy0", "ClaimRequests", "dynamodb:GetItem", tableArn("RequestsTable")));
        assertThat(grants).noneMatch(grant -> grant.action().startsWith("logs:"));
        assertThat(grants).filteredOn(grant -> grant.covers("dynamodb:PutItem", tableArn("AuditTable")))
                .extracting(IamPolicy.Grant::sid).containsExactly("WriteAudit");
    }

    @Test
    void smallTemplate_readerMayRead_andWriteOnlyItsAudit() {
        IamPolicy reader = role(small, "ReaderFunction");

        assertThat(reader.decide("dynamodb:GetItem", tableArn("BooksTable"))).isEqualTo(IamPolicy.Decision.ALLOW);
        assertThat(reader.decide("dynamodb:Query", tableArn("BooksTable") + "/index/ByAuthor"))
                .isEqualTo(IamPolicy.Decision.ALLOW);
        assertThat(reader.decide("dynamodb:PutItem", tableArn("BooksTable")))
                .isEqualTo(IamPolicy.Decision.IMPLICIT_DENY);
        assertThat(reader.decide("dynamodb:PutItem", tableArn("AuditTable"))).isEqualTo(IamPolicy.Decision.ALLOW);
        assertThat(reader.decide("dynamodb:DeleteItem", tableArn("AuditTable")))
                .isEqualTo(IamPolicy.Decision.EXPLICIT_DENY);
        assertThat(reader.grants())
                .extracting(IamPolicy.Grant::sid)
                .contains("", "Audit")
                .doesNotContain("NeverDelete");
    }

    @Test
    void smallTemplate_callerMayInvokeTheReaderAndItsAlias_butNoFunctionNamedOtherwise() {
        IamPolicy caller = role(small, "CallerFunction");

        assertThat(caller.allows("lambda:InvokeFunction", functionArn("ReaderFunction"))).isTrue();
        assertThat(caller.allows("lambda:InvokeFunction", functionArn("ReaderFunction") + ":live")).isTrue();
        assertThat(caller.allows("lambda:InvokeFunction", functionArn("CallerFunction"))).isFalse();
    }

    @Test
    void smallTemplate_environmentSubstitutesParametersAndPseudoParameters() {
        Intrinsics intrinsics = new Intrinsics(small, Map.of("Stage", "prod"), LocalIds.PSEUDO, new LocalIds(small));

        assertThat(intrinsics.resolveStrings(small.function("ReaderFunction").environment()))
                .containsExactlyInAnyOrderEntriesOf(Map.of("BOOKS", "BooksTable", "STAGE", "prod-us-east-1"));
        assertThat(small.function("ReaderFunction").memorySize()).isEqualTo(128);
        assertThat(small.function("ReaderFunction").timeout()).isEqualTo(3);
    }
}
