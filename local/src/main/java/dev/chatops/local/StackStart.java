package dev.chatops.local;

import dev.chatops.shared.access.AccessStore;
import dev.chatops.shared.access.Link;
import dev.chatops.testing.CaptureServer;
import dev.chatops.testing.GitLabStandIn;
import dev.chatops.testing.LocalAws;
import dev.chatops.testing.MotoServer;
import dev.chatops.testing.PostgresServer;
import dev.chatops.testing.Template;
import dev.chatops.testing.aws.SamTemplate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * How a {@link LocalStack} starts: moto, the GitLab stand-ins and the log channel, PostgreSQL when
 * installed, the credentials endpoint, the Lambda API and the front door; then the template's
 * resources with the local stack's parameters, the seeded links (admin, maint, newbie), and the
 * functions. A part that fails to start closes the ones started before it.
 */
final class StackStart {
    private StackStart() {
    }

    static LocalStack start(LocalStack.Options options) {
        MotoServer moto = MotoServer.start(options.motoPort());
        List<AutoCloseable> started = new ArrayList<>();
        try {
            // The stack's own calls (creating the template's resources, as CloudFormation would)
            // go straight to moto; the functions' go through the front door with their own roles.
            moto.configureSdk();
            SamTemplate template = LocalAws.transformed(options.template());
            GitLabStandIn ops = started(started, GitLabStandIn.fromFixture(fixture("gitlab-ops.json")));
            GitLabStandIn staging = started(started, GitLabStandIn.fromFixture(fixture("gitlab-staging.json")));
            GitLabStandIn production = started(started, GitLabStandIn.fromFixture(fixture("gitlab-production.json")));
            CaptureServer logChannel = started(started, new CaptureServer().start());
            // The production replica for explain: PostgreSQL 15 with the demo schema, when it is installed.
            PostgresServer replica = PostgresServer.available()
                    ? started(started, PostgresServer.startWithDemo()) : null;
            ContainerCredentials credentials = started(started, new ContainerCredentials());
            LocalLambdaApi lambda = started(started, new LocalLambdaApi(options.retryDelays(), options.lambdaPort()));
            // The roles resolve against the template's resources, which exist only once the front door's
            // endpoint (the functions' AWS_ENDPOINT_URL, a parameter) is known: they come in after it.
            AtomicReference<RoleAuthority> roles = new AtomicReference<>();
            AwsFrontDoor frontDoor = started(started, new AwsFrontDoor(credentials,
                    (identity, service, request) -> roles.get().check(identity, service, request),
                    moto.endpoint(), lambda.endpoint(), Clock.systemUTC()));
            // Loopback response URLs and GitLab stand-ins are what makes this stack local: the
            // deployed template only takes https. Slack's own origin is left out on purpose: no
            // reply of the local stack may leave this machine.
            Map<String, String> parameters = new LinkedHashMap<>();
            parameters.put("SlackSigningSecret", options.signingSecret());
            parameters.put("ResponseUrlAllow", "http://127.0.0.1,http://localhost");
            parameters.put("GitLabInstances", "ops=" + ops.baseUrl() + ",staging=" + staging.baseUrl()
                    + ",production=" + production.baseUrl());
            parameters.put("ChatOpsProject", LocalStack.CHATOPS_PROJECT);
            parameters.put("GitLabTokens", "{\"ops\":\"" + LocalStack.GITLAB_TOKEN
                    + "\",\"staging\":\"" + LocalStack.GITLAB_TOKEN
                    + "\",\"production\":\"" + LocalStack.GITLAB_TOKEN + "\"}");
            parameters.put("GitLabReadTokens", "{\"ops\":\"" + LocalStack.GITLAB_READ_TOKEN
                    + "\",\"staging\":\"" + LocalStack.GITLAB_READ_TOKEN
                    + "\",\"production\":\"" + LocalStack.GITLAB_READ_TOKEN + "\"}");
            parameters.put("GitLabOAuthClientId", LocalStack.OAUTH_CLIENT_ID);
            parameters.put("GitLabOAuthClientSecret", LocalStack.OAUTH_CLIENT_SECRET);
            parameters.put("FeatureIncidentProject", "production:" + LocalStack.INCIDENT_PROJECT);
            parameters.put("FeatureLogProject", "ops:" + LocalStack.FLAG_LOG_PROJECT);
            parameters.put("FeatureLogWebhookUrl", logChannel.url(LocalStack.LOG_WEBHOOK_PATH));
            if (replica != null) {
                parameters.put("ExplainReplicas", "{\"production\":" + replica.connectionJson() + "}");
            }
            // Every AWS client of every function honours AWS_ENDPOINT_URL, which the template sets from this.
            parameters.put("AwsEndpointUrl", frontDoor.endpoint());
            parameters.putAll(options.parameters());
            LocalAws aws = LocalAws.create(template, parameters);
            roles.set(new RoleAuthority(aws, options.template().toAbsolutePath().toString()));
            seedLinks(aws, ops);
            // The test JVM's own Lambda client (a person with the console, not a function) reaches the
            // Invoke API directly.
            System.setProperty("aws.endpointUrlLambda", lambda.endpoint());
            LambdaFunctions functions = started(started, new LambdaFunctions(
                    StackFunctions.functions(aws, credentials, options.env(), frontDoor.endpoint()),
                    StackFunctions.runtimeJars(), options.log(), options.maxContainers()));
            lambda.serve(functions, aws, function -> StackFunctions.sqsAs(credentials, function, frontDoor.endpoint()));
            LocalHttpApi http = new LocalHttpApi(functions, template.routes(),
                    RouteThrottles.of(aws, options.httpApiClock()), options.port());
            LocalStack stack = new LocalStack(moto, started, functions, lambda, http, aws, ops, staging, production,
                    logChannel, replica);
            stack.watch("moto_server", moto.pid(), moto.exited());
            if (replica != null) {
                stack.watch("postgres", replica.pid(), replica.exited());
            }
            return stack;
        } catch (RuntimeException e) {
            for (AutoCloseable server : LocalStack.reversed(started)) {
                try {
                    server.close();
                } catch (Exception closing) {
                    e.addSuppressed(closing);
                }
            }
            moto.close();
            throw e;
        }
    }

    private static <T extends AutoCloseable> T started(List<AutoCloseable> started, T server) {
        started.add(server);
        return server;
    }

    /**
     * The very first maintainer cannot be added through chat: locally, GitLab's admin is linked to
     * U0LOCALADMIN; and so that a second person can be shown approving, {@code maint} (maintainer)
     * to U0LOCALMAINT and {@code newbie} (no member yet) to U0LOCALNEW, as if each had linked.
     */
    private static void seedLinks(LocalAws aws, GitLabStandIn ops) {
        Map<String, String> links = new LinkedHashMap<>();
        links.put(LocalStack.LOCAL_ADMIN, "admin");
        links.put(LocalStack.LOCAL_MAINT, "maint");
        links.put(LocalStack.LOCAL_NEWBIE, "newbie");
        try (DynamoDbClient dynamo = DynamoDbClient.builder().httpClient(UrlConnectionHttpClient.create()).build()) {
            AccessStore access = new AccessStore(dynamo, aws.ref("AccessTable"));
            links.forEach((slackUser, username) -> access.link(Link.of(LocalStack.LOCAL_TEAM, slackUser, "ops",
                    ops.user(username).orElseThrow().id(), username, Instant.now())));
        }
    }

    private static Path fixture(String name) {
        Path file = Template.projectRoot().resolve("local/src/main/resources").resolve(name);
        if (!Files.exists(file)) {
            throw new IllegalStateException("missing GitLab fixture " + file);
        }
        return file;
    }
}
