package dev.chatops.local;

import dev.chatops.shared.access.AccessStore;
import dev.chatops.shared.access.Link;
import dev.chatops.testing.GitLabStandIn;
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
    private final GitLabStandIn production;

    private LocalStack(MotoServer moto, LocalLambdaApi lambda, LocalHttpApi http, LocalAws aws, GitLabStandIn ops,
                       GitLabStandIn production) {
        this.moto = moto;
        this.lambda = lambda;
        this.http = http;
        this.aws = aws;
        this.ops = ops;
        this.production = production;
    }

    public static LocalStack start(Options options) {
        MotoServer moto = MotoServer.start(options.motoPort());
        LocalLambdaApi lambda = null;
        GitLabStandIn ops = null;
        GitLabStandIn production = null;
        try {
            moto.configureSdk();
            Template template = Template.project();
            ops = GitLabStandIn.fromFixture(fixture("gitlab-ops.json"));
            production = GitLabStandIn.fromFixture(fixture("gitlab-production.json"));
            // Loopback response URLs and GitLab stand-ins are what makes this stack local: the
            // deployed template only takes https.
            LocalAws aws = LocalAws.create(template, Map.of(
                    "SlackSigningSecret", options.signingSecret(),
                    "ResponseUrlAllow", "https://hooks.slack.com,http://127.0.0.1,http://localhost",
                    "GitLabInstances", "ops=" + ops.baseUrl() + ",production=" + production.baseUrl(),
                    "ChatOpsProject", CHATOPS_PROJECT,
                    "GitLabTokens", "{\"ops\":\"" + GITLAB_TOKEN + "\",\"production\":\"" + GITLAB_TOKEN + "\"}",
                    "GitLabOAuthClientId", OAUTH_CLIENT_ID,
                    "GitLabOAuthClientSecret", OAUTH_CLIENT_SECRET));
            seedAdminLink(aws, ops);
            lambda = new LocalLambdaApi(template, aws.queueUrls(), options.retryDelays(), options.lambdaPort());
            // The standard SDK setting for a service's endpoint (AWS_ENDPOINT_URL_LAMBDA in an environment).
            System.setProperty("aws.endpointUrlLambda", lambda.endpoint());
            LocalFunctions functions = new LocalFunctions(template, aws, options.env());
            lambda.serve(functions);
            LocalHttpApi http = new LocalHttpApi(functions, template.httpRoutes(), options.port());
            return new LocalStack(moto, lambda, http, aws, ops, production);
        } catch (RuntimeException e) {
            if (lambda != null) {
                lambda.close();
            }
            if (ops != null) {
                ops.close();
            }
            if (production != null) {
                production.close();
            }
            moto.close();
            throw e;
        }
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

    public GitLabStandIn productionGitLab() {
        return production;
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
        production.close();
        moto.close();
    }
}
