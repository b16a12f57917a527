package dev.chatops.local;

import dev.chatops.shared.Log;
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
    static final String GITLAB_READ_TOKEN = "glpat-local-read-token";
    static final String OAUTH_CLIENT_ID = "chatops-local";
    static final String OAUTH_CLIENT_SECRET = "local-oauth-secret";
    /** Where production flag changes are logged locally: issues on ops, incidents on production. */
    public static final String FLAG_LOG_PROJECT = "gitlab-com/gl-infra/feature-flag-log";
    public static final String INCIDENT_PROJECT = "gitlab-com/gl-infra/production";
    /** The path of the log channel's incoming webhook on the local capture server. */
    public static final String LOG_WEBHOOK_PATH = "/services/T0LOCAL/B0LOG/local-webhook";

    /** How the stack is started. */
    public record Options(int port, int motoPort, int lambdaPort, String signingSecret, List<Duration> retryDelays,
                          Map<String, String> env, java.nio.file.Path template, int maxContainers,
                          java.util.function.BiConsumer<String, String> log, Map<String, String> parameters,
                          java.time.InstantSource httpApiClock) {
        /**
         * Free ports everywhere, the development secret, retries after 1 s and 2 s (Lambda waits
         * minutes), the project's template.yaml, at most 3 execution environments per function, and
         * the functions' logs on standard output, each line after its function's name; the template's
         * parameters as the local stack sets them, and the HTTP API's throttles on the system clock.
         */
        public static Options defaults() {
            return new Options(0, 0, 0, DEV_SIGNING_SECRET, List.of(Duration.ofSeconds(1), Duration.ofSeconds(2)), Map.of(),
                    Template.projectRoot().resolve("template.yaml"), 3,
                    (function, line) -> System.out.println("[" + function + "] " + line), Map.of(),
                    java.time.Clock.systemUTC());
        }

        public Options withPort(int value) {
            return new Options(value, motoPort, lambdaPort, signingSecret, retryDelays, env, template, maxContainers, log,
                    parameters, httpApiClock);
        }

        public Options withMotoPort(int value) {
            return new Options(port, value, lambdaPort, signingSecret, retryDelays, env, template, maxContainers, log,
                    parameters, httpApiClock);
        }

        public Options withLambdaPort(int value) {
            return new Options(port, motoPort, value, signingSecret, retryDelays, env, template, maxContainers, log,
                    parameters, httpApiClock);
        }

        public Options withSigningSecret(String value) {
            return new Options(port, motoPort, lambdaPort, value, retryDelays, env, template, maxContainers, log,
                    parameters, httpApiClock);
        }

        public Options withRetryDelays(List<Duration> value) {
            return new Options(port, motoPort, lambdaPort, signingSecret, value, env, template, maxContainers, log,
                    parameters, httpApiClock);
        }

        /** Variables set in every function's environment on top of the template's. */
        public Options withEnv(Map<String, String> value) {
            return new Options(port, motoPort, lambdaPort, signingSecret, retryDelays, value, template, maxContainers, log,
                    parameters, httpApiClock);
        }

        /** Another template than the project's (a test's altered copy of it). */
        public Options withTemplate(java.nio.file.Path value) {
            return new Options(port, motoPort, lambdaPort, signingSecret, retryDelays, env, value, maxContainers, log,
                    parameters, httpApiClock);
        }

        /** At most this many execution environments per function no one waits on (HTTP routes' have more). */
        public Options withMaxContainers(int value) {
            return new Options(port, motoPort, lambdaPort, signingSecret, retryDelays, env, template, value, log,
                    parameters, httpApiClock);
        }

        /**
         * Template parameter values over the local stack's own (a test's smaller or larger throttle,
         * {@code ApiThrottlingBurstLimit}).
         */
        public Options withParameters(Map<String, String> value) {
            return new Options(port, motoPort, lambdaPort, signingSecret, retryDelays, env, template, maxContainers, log, value,
                    httpApiClock);
        }

        /** The clock the HTTP API's throttles refill by (a test's, which it moves itself). */
        public Options withHttpApiClock(java.time.InstantSource value) {
            return new Options(port, motoPort, lambdaPort, signingSecret, retryDelays, env, template, maxContainers, log,
                    parameters, value);
        }

        /** Where the functions' log lines go: (function, line). */
        public Options withLog(java.util.function.BiConsumer<String, String> value) {
            return new Options(port, motoPort, lambdaPort, signingSecret, retryDelays, env, template, maxContainers, value,
                    parameters, httpApiClock);
        }
    }

    private final MotoServer moto;
    private final List<AutoCloseable> started;
    private final LambdaFunctions functions;
    private final LocalLambdaApi lambda;
    private final LocalHttpApi http;
    private final LocalAws aws;
    private final GitLabStandIn ops;
    private final GitLabStandIn staging;
    private final GitLabStandIn production;
    private final CaptureServer logChannel;
    private final PostgresServer replica;
    private final java.util.concurrent.CompletableFuture<String> partDied = new java.util.concurrent.CompletableFuture<>();
    private volatile boolean closing;

    private LocalStack(MotoServer moto, List<AutoCloseable> started, LambdaFunctions functions, LocalLambdaApi lambda,
                       LocalHttpApi http, LocalAws aws, GitLabStandIn ops, GitLabStandIn staging, GitLabStandIn production,
                       CaptureServer logChannel, PostgresServer replica) {
        this.moto = moto;
        this.started = started;
        this.functions = functions;
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
        List<AutoCloseable> started = new java.util.ArrayList<>();
        try {
            // The stack's own calls (creating the template's resources, as CloudFormation would)
            // go straight to moto; the functions' go through the front door with their own roles.
            moto.configureSdk();
            dev.chatops.testing.aws.SamTemplate template = LocalAws.transformed(options.template());
            GitLabStandIn ops = started(started, GitLabStandIn.fromFixture(fixture("gitlab-ops.json")));
            GitLabStandIn staging = started(started, GitLabStandIn.fromFixture(fixture("gitlab-staging.json")));
            GitLabStandIn production = started(started, GitLabStandIn.fromFixture(fixture("gitlab-production.json")));
            CaptureServer logChannel = started(started, new CaptureServer().start());
            // The production replica for explain: PostgreSQL 15 with the demo schema, when it is installed.
            PostgresServer replica = PostgresServer.available() ? started(started, PostgresServer.startWithDemo()) : null;
            ContainerCredentials credentials = started(started, new ContainerCredentials());
            LocalLambdaApi lambda = started(started, new LocalLambdaApi(options.retryDelays(), options.lambdaPort()));
            // The roles resolve against the template's resources, which exist only once the front door's
            // endpoint (the functions' AWS_ENDPOINT_URL, a parameter) is known: they come in after it.
            java.util.concurrent.atomic.AtomicReference<RoleAuthority> roles = new java.util.concurrent.atomic.AtomicReference<>();
            AwsFrontDoor frontDoor = started(started, new AwsFrontDoor(credentials,
                    (identity, service, request) -> roles.get().check(identity, service, request),
                    moto.endpoint(), lambda.endpoint(), java.time.Clock.systemUTC()));
            // Loopback response URLs and GitLab stand-ins are what makes this stack local: the
            // deployed template only takes https. Slack's own origin is left out on purpose: no
            // reply of the local stack may leave this machine.
            Map<String, String> parameters = new java.util.LinkedHashMap<>();
            parameters.put("SlackSigningSecret", options.signingSecret());
            parameters.put("ResponseUrlAllow", "http://127.0.0.1,http://localhost");
            parameters.put("GitLabInstances", "ops=" + ops.baseUrl() + ",staging=" + staging.baseUrl()
                    + ",production=" + production.baseUrl());
            parameters.put("ChatOpsProject", CHATOPS_PROJECT);
            parameters.put("GitLabTokens", "{\"ops\":\"" + GITLAB_TOKEN + "\",\"staging\":\"" + GITLAB_TOKEN
                    + "\",\"production\":\"" + GITLAB_TOKEN + "\"}");
            parameters.put("GitLabReadTokens", "{\"ops\":\"" + GITLAB_READ_TOKEN + "\",\"staging\":\"" + GITLAB_READ_TOKEN
                    + "\",\"production\":\"" + GITLAB_READ_TOKEN + "\"}");
            parameters.put("GitLabOAuthClientId", OAUTH_CLIENT_ID);
            parameters.put("GitLabOAuthClientSecret", OAUTH_CLIENT_SECRET);
            parameters.put("FeatureIncidentProject", "production:" + INCIDENT_PROJECT);
            parameters.put("FeatureLogProject", "ops:" + FLAG_LOG_PROJECT);
            parameters.put("FeatureLogWebhookUrl", logChannel.url(LOG_WEBHOOK_PATH));
            if (replica != null) {
                parameters.put("ExplainReplicas", "{\"production\":" + replica.connectionJson() + "}");
            }
            // Every AWS client of every function honours AWS_ENDPOINT_URL, which the template sets from this.
            parameters.put("AwsEndpointUrl", frontDoor.endpoint());
            parameters.putAll(options.parameters());
            LocalAws aws = LocalAws.create(template, parameters);
            roles.set(new RoleAuthority(aws, options.template().toAbsolutePath().toString()));
            seedAdminLink(aws, ops);
            // The test JVM's own Lambda client (a person with the console, not a function) reaches the Invoke API directly.
            System.setProperty("aws.endpointUrlLambda", lambda.endpoint());
            LambdaFunctions functions = started(started, new LambdaFunctions(functions(aws, credentials, options.env(),
                    frontDoor.endpoint()),
                    runtimeJars(), options.log(), options.maxContainers()));
            lambda.serve(functions, aws, function -> sqsAs(credentials, function, frontDoor.endpoint()));
            LocalHttpApi http = new LocalHttpApi(functions, template.routes(), RouteThrottles.of(aws, options.httpApiClock()),
                    options.port());
            LocalStack stack = new LocalStack(moto, started, functions, lambda, http, aws, ops, staging, production, logChannel,
                    replica);
            stack.watch("moto_server", moto.pid(), moto.exited());
            if (replica != null) {
                stack.watch("postgres", replica.pid(), replica.exited());
            }
            return stack;
        } catch (RuntimeException e) {
            for (AutoCloseable server : reversed(started)) {
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

    /** Each function of the template, built by {@code sam build}'s make target, with the environment Lambda gives it. */
    private static List<LambdaFunction> functions(LocalAws aws, ContainerCredentials credentials, Map<String, String> overrides,
                                                  String frontDoor) {
        List<LambdaFunction> functions = new java.util.ArrayList<>();
        for (dev.chatops.testing.aws.SamTemplate.Function function : aws.template().functions().values()) {
            String id = function.logicalId();
            java.nio.file.Path artifact = SamBuild.artifact(Template.projectRoot(), id);
            Map<String, String> env = new java.util.LinkedHashMap<>(aws.functionEnvironment(id, overrides));
            env.putAll(lambdaVariables(id, function.handler(), function.memorySize(), artifact));
            env.put("AWS_CONTAINER_CREDENTIALS_FULL_URI", credentials.uri());
            env.put("AWS_CONTAINER_AUTHORIZATION_TOKEN", credentials.issue(id, function.roleLogicalId()));
            bypass(env, frontDoor).ifPresent(variable -> {
                throw new IllegalArgumentException(id + ": " + variable + " would take the function's AWS requests past the"
                        + " front door that checks their signature and role; the local stack will not run it");
            });
            functions.add(new LambdaFunction(id, function.handler(), artifact, function.memorySize(),
                    Duration.ofSeconds(function.timeout()), env, function.roleLogicalId(),
                    aws.template().routes().containsValue(id)));
        }
        return functions;
    }

    /**
     * The variable of a function's environment that would let its AWS requests skip the front door
     * (an endpoint of its own, another endpoint for one service, keys of its own, or the SDK's
     * system properties through {@code JAVA_TOOL_OPTIONS}), if there is one.
     */
    static java.util.Optional<String> bypass(Map<String, String> env, String frontDoor) {
        for (Map.Entry<String, String> variable : env.entrySet()) {
            String name = variable.getKey();
            boolean endpoint = name.equals("AWS_ENDPOINT_URL") && !variable.getValue().equals(frontDoor);
            boolean own = name.startsWith("AWS_ENDPOINT_URL_") || name.equals("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
                    || name.equals("AWS_ACCESS_KEY_ID") || name.equals("AWS_SECRET_ACCESS_KEY")
                    || name.equals("AWS_SESSION_TOKEN") || name.equals("AWS_PROFILE") || name.equals("AWS_CONFIG_FILE")
                    || name.equals("AWS_SHARED_CREDENTIALS_FILE") || name.equals("AWS_WEB_IDENTITY_TOKEN_FILE");
            boolean properties = (name.equals("JAVA_TOOL_OPTIONS") || name.equals("JDK_JAVA_OPTIONS") || name.equals("_JAVA_OPTIONS"))
                    && variable.getValue().contains("-Daws.");
            if (endpoint || own || properties) {
                return java.util.Optional.of(name);
            }
        }
        return java.util.Optional.empty();
    }

    /**
     * The variables Lambda itself sets in a SnapStart function's environment (AWS Lambda developer
     * guide, "Defined runtime environment variables"): never {@code AWS_ACCESS_KEY_ID},
     * {@code AWS_SECRET_ACCESS_KEY} or {@code AWS_SESSION_TOKEN}, since SnapStart hands credentials
     * out through the container credentials endpoint instead.
     */
    static Map<String, String> lambdaVariables(String id, String handler, int memory, java.nio.file.Path artifact) {
        Map<String, String> env = new java.util.LinkedHashMap<>();
        env.put("_HANDLER", handler);
        env.put("AWS_REGION", LocalRegion.NAME);
        env.put("AWS_DEFAULT_REGION", LocalRegion.NAME);
        env.put("AWS_EXECUTION_ENV", "AWS_Lambda_java21");
        env.put("AWS_LAMBDA_FUNCTION_NAME", id);
        env.put("AWS_LAMBDA_FUNCTION_VERSION", LambdaFunction.VERSION);
        env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", Integer.toString(memory));
        env.put("AWS_LAMBDA_INITIALIZATION_TYPE", "snap-start");
        env.put("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/" + id);
        env.put("AWS_LAMBDA_LOG_STREAM_NAME", java.time.LocalDate.now() + "/[" + LambdaFunction.VERSION + "]local");
        env.put("LAMBDA_TASK_ROOT", artifact.toString());
        env.put("LAMBDA_RUNTIME_DIR", runtimeJars().toString());
        env.put("TZ", ":UTC");
        env.put("LANG", "en_US.UTF-8");
        env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
        return env;
    }

    /** AWS's Lambda Java runtime interface client and its jars, copied there by local/pom.xml. */
    static java.nio.file.Path runtimeJars() {
        java.nio.file.Path dir = Template.projectRoot().resolve("local/target/lambda-runtime");
        if (!java.nio.file.Files.isDirectory(dir)) {
            throw new IllegalStateException("Lambda's runtime interface client is missing from " + dir
                    + ": run  mvn -B package -DskipTests -pl local -am");
        }
        return dir;
    }

    /** An SQS client acting as {@code functionId}'s role, as Lambda does for its destinations and event source mappings. */
    private static software.amazon.awssdk.services.sqs.SqsClient sqsAs(ContainerCredentials credentials, String functionId,
                                                                     String frontDoor) {
        return software.amazon.awssdk.services.sqs.SqsClient.builder().httpClient(UrlConnectionHttpClient.create())
                .endpointOverride(java.net.URI.create(frontDoor))
                .region(software.amazon.awssdk.regions.Region.of(LocalRegion.NAME))
                .credentialsProvider(() -> {
                    // The function's current keys on every request, as Lambda's own would rotate.
                    ContainerCredentials.Identity identity = credentials.identityOf(functionId);
                    return software.amazon.awssdk.auth.credentials.AwsSessionCredentials.create(identity.accessKeyId(),
                            identity.secretAccessKey(), identity.sessionToken());
                })
                .build();
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

    private static List<AutoCloseable> reversed(List<AutoCloseable> parts) {
        List<AutoCloseable> copy = new java.util.ArrayList<>(parts);
        java.util.Collections.reverse(copy);
        return copy;
    }

    /**
     * Completes with a sentence naming the part of the stack (moto_server, PostgreSQL) whose process
     * exited while the stack ran, not while it was being closed or the JVM shutting down. A function's
     * execution environment that exits is not such a part: Lambda replaces it, and so does this stack.
     */
    public java.util.concurrent.CompletableFuture<String> partDied() {
        return partDied;
    }

    private void watch(String part, long pid, java.util.concurrent.CompletableFuture<Integer> exited) {
        exited.thenAccept(status -> {
            if (!closing && !jvmShuttingDown()) {
                partDied.complete(part + " (pid " + pid + ") exited with status " + status);
            }
        });
    }

    /**
     * Whether the JVM has begun its shutdown (Ctrl-C, SIGTERM, System.exit): from then on, the
     * parts' own shutdown hooks stop them, which is no death. The JDK tells it only by refusing
     * new shutdown hooks.
     */
    private static boolean jvmShuttingDown() {
        Thread probe = new Thread(() -> { });
        try {
            Runtime.getRuntime().addShutdownHook(probe);
            Runtime.getRuntime().removeShutdownHook(probe);
            return false;
        } catch (IllegalStateException e) {
            return true;
        }
    }

    /** Runs {@code functionId}'s {@code live} alias once on {@code payload}, synchronously, as {@code sam local invoke} does. */
    public LambdaContainer.Result invoke(String functionId, byte[] payload) {
        return functions.invoke(functionId, payload, functions.function(functionId).arn() + ":live");
    }

    /** The functions' execution environments, for tests that look at the processes. */
    LambdaFunctions functions() {
        return functions;
    }

    @Override
    public void close() {
        closing = true;
        http.close();
        for (AutoCloseable part : reversed(started)) {
            try {
                part.close();
            } catch (Exception e) {
                Log.warn("local.stop_failed", "part", part.getClass().getSimpleName(), "error", String.valueOf(e.getMessage()));
            }
        }
        moto.close();
    }
}
