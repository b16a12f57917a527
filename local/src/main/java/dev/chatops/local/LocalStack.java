package dev.chatops.local;

import dev.chatops.shared.access.AccessStore;
import dev.chatops.shared.access.Link;
import dev.chatops.testing.CaptureServer;
import dev.chatops.testing.GitLabStandIn;
import dev.chatops.testing.PostgresServer;
import dev.chatops.testing.LocalAws;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import dev.chatops.testing.MotoServer;
import dev.chatops.testing.Template;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Everything {@code bin/chatops-local up} runs, in one JVM: moto with template.yaml's tables,
 * secrets and queues; a Lambda Invoke API stand-in; every function's handler with the environment
 * the template gives it; and the HTTP API's routes on 127.0.0.1. Replies may go to loopback
 * response URLs as well as Slack's. {@link #close()} stops all of it.
 */
public final class LocalStack implements AutoCloseable {
    /** The signing secret when {@code SLACK_SIGNING_SECRET} is not set. For local use only. */
    public static final String DEV_SIGNING_SECRET = "chatops-local-dev-signing-secret";
    /** The Slack workspace and user the local stack links to GitLab's {@code admin} (owner of ops/chatops). */
    public static final String LOCAL_TEAM = "T0LOCAL";
    public static final String LOCAL_ADMIN = "U0LOCALADMIN";
    static final String CHATOPS_PROJECT = "ops/chatops";
    static final String GITLAB_TOKEN = "glpat-local-admin-token";
    static final String OAUTH_CLIENT_ID = "chatops-local";
    static final String OAUTH_CLIENT_SECRET = "local-oauth-secret";
    /** Where production flag changes are logged locally: issues on ops, incidents on production. */
    public static final String FLAG_LOG_PROJECT = "gitlab-com/gl-infra/feature-flag-log";
    public static final String INCIDENT_PROJECT = "gitlab-com/gl-infra/production";
    /** The path of the log channel's incoming webhook on the local capture server. */
    public static final String LOG_WEBHOOK_PATH = "/services/T0LOCAL/B0LOG/local-webhook";

    /** How the stack is started. */
    public record Options(int port, int motoPort, int lambdaPort, String signingSecret, List<Duration> retryDelays,
                          Map<String, String> env) {
        /** Free ports everywhere, the development secret, and retries after 1 s and 2 s (Lambda waits minutes). */
        public static Options defaults() {
            return new Options(0, 0, 0, DEV_SIGNING_SECRET, List.of(Duration.ofSeconds(1), Duration.ofSeconds(2)), Map.of());
        }

        public Options withPort(int value) {
            return new Options(value, motoPort, lambdaPort, signingSecret, retryDelays, env);
        }

        public Options withMotoPort(int value) {
            return new Options(port, value, lambdaPort, signingSecret, retryDelays, env);
        }

        public Options withLambdaPort(int value) {
            return new Options(port, motoPort, value, signingSecret, retryDelays, env);
        }

        public Options withSigningSecret(String value) {
            return new Options(port, motoPort, lambdaPort, value, retryDelays, env);
        }

        public Options withRetryDelays(List<Duration> value) {
            return new Options(port, motoPort, lambdaPort, signingSecret, value, env);
        }

        /** Variables set in every function's environment on top of the template's. */
        public Options withEnv(Map<String, String> value) {
            return new Options(port, motoPort, lambdaPort, signingSecret, retryDelays, value);
        }
    }

    private final MotoServer moto;
    private final LocalLambdaApi lambda;
    private final LocalHttpApi http;
    private final LocalAws aws;
    private final GitLabStandIn ops;
    private final GitLabStandIn staging;
    private final GitLabStandIn production;
    private final CaptureServer logChannel;
    private final PostgresServer replica;

    private LocalStack(MotoServer moto, LocalLambdaApi lambda, LocalHttpApi http, LocalAws aws, GitLabStandIn ops,
                       GitLabStandIn staging, GitLabStandIn production, CaptureServer logChannel, PostgresServer replica) {
        this.moto = moto;
        this.lambda = lambda;
        this.http = http;
        this.aws = aws;
        this.ops = ops;
        this.staging = staging;
        this.production = production;
        this.logChannel = logChannel;
        this.replica = replica;
    }

    public static LocalStack start(Options options) {
        MotoServer moto = MotoServer.start(options.motoPort());
        LocalLambdaApi lambda = null;
        List<AutoCloseable> started = new java.util.ArrayList<>();
        try {
            moto.configureSdk();
            Template template = Template.project();
            GitLabStandIn ops = started(started, GitLabStandIn.fromFixture(fixture("gitlab-ops.json")));
            GitLabStandIn staging = started(started, GitLabStandIn.fromFixture(fixture("gitlab-staging.json")));
            GitLabStandIn production = started(started, GitLabStandIn.fromFixture(fixture("gitlab-production.json")));
            CaptureServer logChannel = started(started, new CaptureServer().start());
            // The production replica for explain: PostgreSQL 15 with the demo schema, when it is installed.
            PostgresServer replica = PostgresServer.available() ? started(started, PostgresServer.startWithDemo()) : null;
            // Loopback response URLs and GitLab stand-ins are what makes this stack local: the
            // deployed template only takes https.
            Map<String, String> parameters = new java.util.LinkedHashMap<>();
            parameters.put("SlackSigningSecret", options.signingSecret());
            parameters.put("ResponseUrlAllow", "https://hooks.slack.com,http://127.0.0.1,http://localhost");
            parameters.put("GitLabInstances", "ops=" + ops.baseUrl() + ",staging=" + staging.baseUrl()
                    + ",production=" + production.baseUrl());
            parameters.put("ChatOpsProject", CHATOPS_PROJECT);
            parameters.put("GitLabTokens", "{\"ops\":\"" + GITLAB_TOKEN + "\",\"staging\":\"" + GITLAB_TOKEN
                    + "\",\"production\":\"" + GITLAB_TOKEN + "\"}");
            parameters.put("GitLabOAuthClientId", OAUTH_CLIENT_ID);
            parameters.put("GitLabOAuthClientSecret", OAUTH_CLIENT_SECRET);
            parameters.put("FeatureIncidentProject", "production:" + INCIDENT_PROJECT);
            parameters.put("FeatureLogProject", "ops:" + FLAG_LOG_PROJECT);
            parameters.put("FeatureLogWebhookUrl", logChannel.url(LOG_WEBHOOK_PATH));
            if (replica != null) {
                parameters.put("ExplainReplicas", "{\"production\":" + replica.connectionJson() + "}");
            }
            LocalAws aws = LocalAws.create(template, parameters);
            seedAdminLink(aws, ops);
            lambda = new LocalLambdaApi(template, aws.queueUrls(), options.retryDelays(), options.lambdaPort());
            // The standard SDK setting for a service's endpoint (AWS_ENDPOINT_URL_LAMBDA in an environment).
            System.setProperty("aws.endpointUrlLambda", lambda.endpoint());
            LocalFunctions functions = new LocalFunctions(template, aws, options.env());
            lambda.serve(functions);
            LocalHttpApi http = new LocalHttpApi(functions, template.httpRoutes(), options.port());
            return new LocalStack(moto, lambda, http, aws, ops, staging, production, logChannel, replica);
        } catch (RuntimeException e) {
            if (lambda != null) {
                lambda.close();
            }
            for (AutoCloseable server : started) {
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

    /** The very first maintainer cannot be added through chat: locally, GitLab's admin is linked to U0LOCALADMIN. */
    private static void seedAdminLink(LocalAws aws, GitLabStandIn ops) {
        long adminId = ops.user("admin").orElseThrow().id();
        try (DynamoDbClient dynamo = DynamoDbClient.builder().httpClient(UrlConnectionHttpClient.create()).build()) {
            new AccessStore(dynamo, aws.ref("AccessTable")).link(Link.of(LOCAL_TEAM, LOCAL_ADMIN, "ops", adminId, "admin",
                    java.time.Instant.now()));
        }
    }

    private static java.nio.file.Path fixture(String name) {
        java.nio.file.Path file = Template.projectRoot().resolve("local/src/main/resources").resolve(name);
        if (!java.nio.file.Files.exists(file)) {
            throw new IllegalStateException("missing GitLab fixture " + file);
        }
        return file;
    }

    /** The GitLab stand-in playing the ops instance (where the chatops project lives). */
    public GitLabStandIn opsGitLab() {
        return ops;
    }

    public GitLabStandIn stagingGitLab() {
        return staging;
    }

    public GitLabStandIn productionGitLab() {
        return production;
    }

    /** The PostgreSQL playing the production replica for explain; empty when PostgreSQL is not installed. */
    public java.util.Optional<PostgresServer> replica() {
        return java.util.Optional.ofNullable(replica);
    }

    /** The capture server standing in for the feature-flag log channel's incoming webhook. */
    public CaptureServer logChannel() {
        return logChannel;
    }

    /** Where the stand-in for Lambda's Invoke API listens. */
    public String lambdaEndpoint() {
        return lambda.endpoint();
    }

    public String commandsUrl() {
        return http.url("/slack/commands");
    }

    public String url(String path) {
        return http.url(path);
    }

    public LocalAws aws() {
        return aws;
    }

    public MotoServer moto() {
        return moto;
    }

    @Override
    public void close() {
        http.close();
        lambda.close();
        ops.close();
        staging.close();
        production.close();
        logChannel.close();
        if (replica != null) {
            replica.close();
        }
        moto.close();
    }
}
