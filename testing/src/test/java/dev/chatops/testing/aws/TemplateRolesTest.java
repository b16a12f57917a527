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
        small = SamTemplate.transform(Path.of(TemplateRolesTest.class.getResource("small-template.yaml").toURI()), Map.of());
    }

    private static IamPolicy role(SamTemplate template, String function) {
        return IamPolicy.ofRole(template.roleOf(function), new Intrinsics(template, Map.of(), LocalIds.PSEUDO, new LocalIds(template)));
    }

    @Test
    void everyRole_resolves_andItsManagedPoliciesAreKnown() {
        for (String function : project.functions().keySet()) {
            IamPolicy policy = role(project, function);
            assertThat(policy.allows("logs:PutLogEvents", "arn:aws:logs:us-east-1:123456789012:log-group:/x:log-stream:y"))
                    .as(function + " writes its logs (AWSLambdaBasicExecutionRole)").isTrue();
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
            assertThat(gateway.allows("lambda:InvokeFunction", functionArn(function) + ":live")).as(function + ":live").isTrue();
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
            assertThat(policy.allows("secretsmanager:GetSecretValue", secretArn("GitLabReadTokensSecret"))).as(function).isTrue();
            assertThat(policy.allows("secretsmanager:GetSecretValue", secretArn("SigningSecret"))).as(function).isFalse();
            assertThat(policy.allows("sqs:SendMessage", queueArn("FailureQueue"))).as(function).isTrue();
            assertThat(policy.allows("dynamodb:DeleteTable", tableArn("AuditTable"))).as(function).isFalse();
        }
    }

    /**
     * The write tokens are held only where a command writes to GitLab: the internet-facing linking
     * pages hold no GitLab token at all, and explain (which runs people's SQL) only the read-only one.
     */
    @Test
    void gitLabWriteTokens_areReadOnlyByMemberAndFeature_andLinkingHoldsNoGitLabToken() {
        List<String> writers = List.of("MemberFunction", "FeatureFunction");
        for (String function : project.functions().keySet()) {
            assertThat(role(project, function).allows("secretsmanager:GetSecretValue", secretArn("GitLabTokensSecret")))
                    .as(function + " may read the write tokens").isEqualTo(writers.contains(function));
        }
        Map<String, String> configured = Map.of("GitLabOAuthClientId", "app-id", "GitLabOAuthClientSecret", "app-secret");
        for (Map<String, String> parameters : List.of(Map.<String, String>of(), configured)) {
            IamPolicy link = IamPolicy.ofRole(project.roleOf("LinkFunction"),
                    new Intrinsics(project, parameters, LocalIds.PSEUDO, new LocalIds(project)));
            IamPolicy explain = IamPolicy.ofRole(project.roleOf("ExplainFunction"),
                    new Intrinsics(project, parameters, LocalIds.PSEUDO, new LocalIds(project)));
            for (String secret : project.secrets().keySet()) {
                assertThat(link.allows("secretsmanager:GetSecretValue", secretArn(secret))).as("LinkFunction reads " + secret)
                        .isEqualTo(secret.equals("LinkStateSecret") || secret.equals("GitLabOAuthSecret") && parameters == configured);
                assertThat(explain.allows("secretsmanager:GetSecretValue", secretArn(secret))).as("ExplainFunction reads " + secret)
                        .isEqualTo(List.of("GitLabReadTokensSecret", "LinkStateSecret", "ExplainReplicasSecret").contains(secret));
            }
            assertThat(link.allows("secretsmanager:GetSecretValue", secretArn("GitLabReadTokensSecret"))).isFalse();
        }
        for (String function : List.of("GatewayFunction", "LinkFunction", "CommandFailureFunction")) {
            assertThat(role(project, function).allows("secretsmanager:GetSecretValue", secretArn("GitLabReadTokensSecret")))
                    .as(function + " may read the read-only tokens").isFalse();
        }
    }

    @Test
    void linkFunction_mayReadTheOAuthSecret_onlyOnceLinkingIsConfigured() {
        IamPolicy firstDeploy = IamPolicy.ofRole(project.roleOf("LinkFunction"),
                new Intrinsics(project, Map.of(), LocalIds.PSEUDO, new LocalIds(project)));
        IamPolicy configured = IamPolicy.ofRole(project.roleOf("LinkFunction"), new Intrinsics(project,
                Map.of("GitLabOAuthClientId", "app-id", "GitLabOAuthClientSecret", "app-secret"), LocalIds.PSEUDO, new LocalIds(project)));

        assertThat(firstDeploy.allows("secretsmanager:GetSecretValue", secretArn("GitLabOAuthSecret"))).isFalse();
        assertThat(firstDeploy.allows("secretsmanager:GetSecretValue", secretArn("LinkStateSecret"))).isTrue();
        assertThat(configured.allows("secretsmanager:GetSecretValue", secretArn("GitLabOAuthSecret"))).isTrue();
        assertThat(configured.grants()).filteredOn(grant -> grant.covers("secretsmanager:GetSecretValue", secretArn("GitLabOAuthSecret")))
                .extracting(IamPolicy.Grant::sid).containsExactly("ReadOAuthSecret");
        assertThat(configured.grants()).hasSize(firstDeploy.grants().size() + 1);
        for (String function : SamTemplateTest.COMMAND_FUNCTIONS) {
            assertThat(role(project, function).allows("secretsmanager:GetSecretValue", secretArn("GitLabOAuthSecret"))).as(function).isFalse();
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

        assertThat(grants).contains(new IamPolicy.Grant("UserFunctionRolePolicy0", "ClaimRequests", "dynamodb:GetItem", tableArn("RequestsTable")));
        assertThat(grants).noneMatch(grant -> grant.action().startsWith("logs:"));
        assertThat(grants).filteredOn(grant -> grant.covers("dynamodb:PutItem", tableArn("AuditTable")))
                .extracting(IamPolicy.Grant::sid).containsExactly("WriteAudit");
    }

    @Test
    void smallTemplate_readerMayRead_andWriteOnlyItsAudit() {
        IamPolicy reader = role(small, "ReaderFunction");

        assertThat(reader.decide("dynamodb:GetItem", tableArn("BooksTable"))).isEqualTo(IamPolicy.Decision.ALLOW);
        assertThat(reader.decide("dynamodb:Query", tableArn("BooksTable") + "/index/ByAuthor")).isEqualTo(IamPolicy.Decision.ALLOW);
        assertThat(reader.decide("dynamodb:PutItem", tableArn("BooksTable"))).isEqualTo(IamPolicy.Decision.IMPLICIT_DENY);
        assertThat(reader.decide("dynamodb:PutItem", tableArn("AuditTable"))).isEqualTo(IamPolicy.Decision.ALLOW);
        assertThat(reader.decide("dynamodb:DeleteItem", tableArn("AuditTable"))).isEqualTo(IamPolicy.Decision.EXPLICIT_DENY);
        assertThat(reader.grants()).extracting(IamPolicy.Grant::sid).contains("", "Audit").doesNotContain("NeverDelete");
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
