package dev.chatops.testing.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.chatops.testing.Template;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The project's template.yaml through AWS's SAM transform, read back as the local stack will read it. */
class SamTemplateTest {
    static final List<String> COMMAND_FUNCTIONS =
            List.of("UserFunction", "MemberFunction", "FeatureFunction", "ExplainFunction", "AutoDeployFunction");

    static SamTemplate sam;
    static Template declared;

    @BeforeAll
    static void transform() {
        sam = TransformedProject.SAM;
        declared = Template.project();
    }

    private static Intrinsics intrinsics(Map<String, String> parameters) {
        return new Intrinsics(sam, parameters, LocalIds.PSEUDO, new LocalIds(sam));
    }

    @Test
    void functions_areEverySamFunction_withItsHandlerRuntimeAndOwnRole() {
        Map<String, SamTemplate.Function> functions = sam.functions();

        assertThat(functions.keySet())
                .containsExactlyInAnyOrderElementsOf(
                        declared.resources("AWS::Serverless::Function").keySet());
        declared.resources("AWS::Serverless::Function").forEach((id, props) -> {
            SamTemplate.Function function = functions.get(id);
            assertThat(function.handler()).isEqualTo(props.get("Handler"));
            assertThat(function.roleLogicalId()).isEqualTo(id + "Role");
            assertThat(function.runtime()).isEqualTo("java21");
            assertThat(function.memorySize()).isEqualTo(1024);
            assertThat(function.snapStartApplyOn()).contains("PublishedVersions");
        });
        assertThat(functions.get("GatewayFunction").handler())
                .isEqualTo("dev.chatops.gateway.GatewayFunction::handleRequest");
    }

    @Test
    void functions_haveTheGlobalsTimeout_unlessTheyDeclareTheirOwn() {
        assertThat(sam.function("UserFunction").timeout()).isEqualTo(30);
        assertThat(sam.function("GatewayFunction").timeout()).isEqualTo(10);
        assertThat(sam.function("FeatureFunction").timeout()).isEqualTo(60);
        assertThat(sam.function("LinkFunction").timeout()).isEqualTo(15);
    }

    @Test
    void environment_isTheGlobalsVariablesAndTheFunctionsOwn_asTheTemplateDeclaresThem() {
        for (String id : sam.functions().keySet()) {
            assertThat(sam.function(id).environment().keySet()).as(id)
                    .containsExactlyInAnyOrderElementsOf(declared.environmentNames(id));
        }
        assertThat(sam.function("UserFunction").environment())
                .containsEntry("REQUESTS_TABLE", Map.of("Ref", "RequestsTable"))
                .containsEntry("JAVA_TOOL_OPTIONS", "-XX:+TieredCompilation -XX:TieredStopAtLevel=1");
    }

    @Test
    void environment_resolves_toLocalResources_withoutTheEndpointVariableByDefault() {
        Map<String, String> env = intrinsics(Map.of()).resolveStrings(sam.function("UserFunction").environment());

        assertThat(env).containsEntry("REQUESTS_TABLE", "RequestsTable")
                .containsEntry("GITLAB_READ_TOKENS_SECRET_ID", LocalIds.secretArn("GitLabReadTokensSecret"))
                .doesNotContainKey("GITLAB_TOKENS_SECRET_ID")
                .containsEntry("GITLAB_INSTANCES", "ops=https://ops.gitlab.net,production=https://gitlab.com")
                .containsEntry("MEMBER_PATHS", "")
                .doesNotContainKey("AWS_ENDPOINT_URL");
        assertThat(intrinsics(Map.of("AwsEndpointUrl", "http://127.0.0.1:5000"))
                        .resolveStrings(sam.function("UserFunction").environment()))
                .containsEntry("AWS_ENDPOINT_URL", "http://127.0.0.1:5000");
    }

    @Test
    void linking_isConfigured_onlyWithBothTheOAuthApplicationsIdAndSecret() {
        Map<String, String> configured =
                Map.of("GitLabOAuthClientId", "app-id", "GitLabOAuthClientSecret", "app-secret");
        List<Map<String, String>> notYet = List.of(Map.of(),
                Map.of("GitLabOAuthClientId", "app-id"),
                Map.of("GitLabOAuthClientId", "app-id", "GitLabOAuthClientSecret", "none"),
                Map.of("GitLabOAuthClientSecret", "app-secret"));

        assertThat(intrinsics(configured).resolveStrings(sam.function("LinkFunction").environment()))
                .containsEntry("GITLAB_OAUTH_CLIENT_ID", "app-id")
                .containsEntry("GITLAB_OAUTH_SECRET_ID", LocalIds.secretArn("GitLabOAuthSecret"));
        assertThat(intrinsics(configured).resolveStrings(sam.function("UserFunction").environment()))
                .containsEntry("GITLAB_OAUTH_CLIENT_ID", "app-id");
        assertThat(intrinsics(configured).condition("HasGitLabOAuth")).isTrue();
        for (Map<String, String> parameters : notYet) {
            assertThat(intrinsics(parameters).condition("HasGitLabOAuth")).as(parameters.toString()).isFalse();
            assertThat(intrinsics(parameters)
                            .resolveStrings(sam.function("LinkFunction").environment()))
                    .as(parameters.toString())
                    .containsEntry("GITLAB_OAUTH_CLIENT_ID", "")
                    .containsEntry("GITLAB_OAUTH_SECRET_ID", "");
            assertThat(intrinsics(parameters)
                            .resolveStrings(sam.function("UserFunction").environment()))
                    .as(parameters.toString())
                    .containsEntry("GITLAB_OAUTH_CLIENT_ID", "");
        }
        assertThat(sam.resourceCondition("GitLabOAuthSecret")).contains("HasGitLabOAuth");
        assertThat(sam.resourceCondition("GitLabTokensSecret")).isEmpty();
    }

    @Test
    void gatewayEnvironment_namesTheCommandFunctionsByTheirLiveAlias() {
        Map<String, String> env = intrinsics(Map.of()).resolveStrings(sam.function("GatewayFunction").environment());

        assertThat(sam.function("GatewayFunction").environment())
                .containsEntry("USER_FUNCTION_NAME", Map.of("Ref", "UserFunctionAliaslive"));
        assertThat(env).containsEntry("USER_FUNCTION_NAME", LocalIds.functionArn("UserFunction") + ":live")
                .containsEntry("AUTO_DEPLOY_FUNCTION_NAME", LocalIds.functionArn("AutoDeployFunction") + ":live")
                .containsEntry("SLACK_SIGNING_SECRET_ID", LocalIds.secretArn("SigningSecret"));
    }

    @Test
    void explainVpcConfig_isThereOnlyWhenSubnetsAreGiven() {
        Object vpc = sam.function("ExplainFunction").vpcConfig().orElseThrow();

        assertThat(intrinsics(Map.of()).resolve(vpc)).isEmpty();
        assertThat(intrinsics(Map.of("ExplainSubnetIds", "subnet-1,subnet-2", "ExplainSecurityGroupIds", "sg-1"))
                        .resolve(vpc))
                .contains(Map.of("SubnetIds", List.of("subnet-1", "subnet-2"), "SecurityGroupIds", List.of("sg-1")));
        assertThat(sam.function("UserFunction").vpcConfig()).isEmpty();
    }

    @Test
    void everyFunction_hasALiveAliasOnAGeneratedVersion() {
        for (String id : sam.functions().keySet()) {
            SamTemplate.Alias alias = sam.alias(id, "live").orElseThrow();
            assertThat(alias.logicalId()).isEqualTo(id + "Aliaslive");
            assertThat(alias.versionLogicalId()).startsWith(id + "Version");
            assertThat(sam.versions().get(alias.versionLogicalId()).functionLogicalId()).isEqualTo(id);
            assertThat(sam.functionOf(alias.logicalId())).isEqualTo(id);
            assertThat(sam.functionOf(alias.versionLogicalId())).isEqualTo(id);
        }
    }

    @Test
    void httpRoutes_reachTheirFunctionsThroughTheLiveAlias() {
        assertThat(sam.routes()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "POST /slack/commands", "GatewayFunction",
                "POST /slack/interactions", "GatewayFunction",
                "GET /link/start", "LinkFunction",
                "GET /link/callback", "LinkFunction"));
        assertThat(sam.routes()).isEqualTo(declared.httpRoutes());
        assertThat(sam.httpRoutes()).allSatisfy(route -> {
            assertThat(route.targetLogicalId()).isEqualTo(route.functionLogicalId() + "Aliaslive");
            assertThat(route.payloadFormatVersion()).isEqualTo("2.0");
        });
    }

    @Test
    void failureQueue_feedsCommandFailureFunction_inBatchesWithPartialFailures() {
        assertThat(sam.eventSourceMappings()).singleElement().satisfies(mapping -> {
            assertThat(mapping.sourceLogicalId()).contains("FailureQueue");
            assertThat(mapping.functionLogicalId()).isEqualTo("CommandFailureFunction");
            assertThat(mapping.targetLogicalId()).isEqualTo("CommandFailureFunctionAliaslive");
            assertThat(mapping.batchSize()).contains(10);
            assertThat(mapping.functionResponseTypes()).containsExactly("ReportBatchItemFailures");
            assertThat(intrinsics(Map.of()).resolveString(mapping.eventSourceArn()))
                    .isEqualTo(LocalIds.queueArn("FailureQueue"));
        });
    }

    @Test
    void commandFunctions_retryTwice_thenGoToTheFailureQueue() {
        Map<String, SamTemplate.EventInvokeConfig> configs = sam.eventInvokeConfigs();

        assertThat(configs.keySet()).containsExactlyInAnyOrderElementsOf(COMMAND_FUNCTIONS);
        for (String id : COMMAND_FUNCTIONS) {
            SamTemplate.EventInvokeConfig config = configs.get(id);
            assertThat(config.qualifier()).isEqualTo("live");
            assertThat(config.maximumRetryAttempts()).contains(2);
            assertThat(config.maximumEventAgeInSeconds()).contains(1800);
            assertThat(config.onFailureDestination()).contains(Map.of("Fn::GetAtt", List.of("FailureQueue", "Arn")));
            assertThat(intrinsics(Map.of()).resolveString(config.onFailureDestination().orElseThrow()))
                    .isEqualTo(LocalIds.queueArn("FailureQueue"));
        }
    }

    @Test
    void tables_secretsAndQueues_areAsDeclared() {
        SamTemplate.Table audit = sam.tables().get("AuditTable");
        assertThat(audit.keySchema())
                .containsExactly(
                        new SamTemplate.NamedType("requestId", "HASH"), new SamTemplate.NamedType("attempt", "RANGE"));
        assertThat(audit.globalSecondaryIndexes()).singleElement().satisfies(index -> {
            assertThat(index.name()).isEqualTo("ByTime");
            assertThat(index.keySchema())
                    .containsExactly(
                            new SamTemplate.NamedType("kind", "HASH"), new SamTemplate.NamedType("attempt", "RANGE"));
            assertThat(index.projectionType()).isEqualTo("ALL");
        });
        assertThat(sam.tables().get("RequestsTable").timeToLiveAttribute()).contains("expiresAt");
        assertThat(audit.timeToLiveAttribute()).isEmpty();
        assertThat(sam.tables().keySet())
                .containsExactly("RequestsTable", "ApprovalsTable", "AuditTable", "AccessTable");
        SamTemplate.Table approvals = sam.tables().get("ApprovalsTable");
        assertThat(approvals.keySchema()).containsExactly(new SamTemplate.NamedType("pk", "HASH"));
        assertThat(approvals.timeToLiveAttribute()).contains("ttl");
        assertThat(approvals.globalSecondaryIndexes()).singleElement().satisfies(index -> {
            assertThat(index.name()).isEqualTo("ByCommand");
            assertThat(index.keySchema()).containsExactly(
                    new SamTemplate.NamedType("command", "HASH"), new SamTemplate.NamedType("createdAt", "RANGE"));
            assertThat(index.projectionType()).isEqualTo("ALL");
        });

        assertThat(sam.secrets().get("SigningSecret").secretString()).contains(Map.of("Ref", "SlackSigningSecret"));
        assertThat(sam.secrets().get("LinkStateSecret").generateSecretString())
                .contains(Map.of("PasswordLength", 64, "ExcludePunctuation", true));
        assertThat(intrinsics(Map.of())
                        .resolveString(sam.secrets()
                                .get("FeatureLogWebhookSecret")
                                .secretString()
                                .orElseThrow()))
                .isEqualTo("not-configured");
        assertThat(intrinsics(Map.of()).resolveString(sam.secrets().get("AccessRequestWebhookSecret").secretString()
                        .orElseThrow()))
                .isEqualTo("not-configured");
        assertThat(sam.queues().keySet()).containsExactly("FailureQueue", "FailureDeadLetterQueue");
    }

    @Test
    void transform_ofABrokenTemplate_failsWithTheTransformsMessage(@TempDir Path dir) throws Exception {
        Path broken = dir.resolve("broken.yaml");
        Files.writeString(broken, """
            Transform: AWS::Serverless-2016-10-31
            Resources:
              Fn:
                Type: AWS::Serverless::Function
                Properties:
                  Runtime: java21
                  Handler: a.B::handleRequest
                  CodeUri: .
                  Events:
                    Api:
                      Type: NoSuchEvent
            """);

        assertThatThrownBy(() -> SamTemplate.transform(broken, Map.of()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("sam_transform.py").hasMessageContaining("Event Type is: NoSuchEvent");
    }

    @Test
    void transformedJson_canBeReadBackWithoutPython() throws Exception {
        String json = JSON.std.asString(sam.json());

        assertThat(SamTemplate.ofCloudFormation(json).routes()).isEqualTo(sam.routes());
        assertThat(SamTemplate.ofCloudFormation(json).resourceType("UserFunctionAliaslive"))
                .isEqualTo(Optional.of("AWS::Lambda::Alias"));
    }
}
