package dev.chatops.local;

import dev.chatops.shared.Log;
import dev.chatops.testing.CaptureServer;
import dev.chatops.testing.GitLabStandIn;
import dev.chatops.testing.LocalAws;
import dev.chatops.testing.MotoServer;
import dev.chatops.testing.PostgresServer;
import dev.chatops.testing.Template;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

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
    /** Linked to GitLab's {@code maint}: maintainer of ops/chatops with 2FA, who can approve the admin's changes. */
    public static final String LOCAL_MAINT = "U0LOCALMAINT";
    /** Linked to GitLab's {@code newbie}: 2FA, a production twin, and no membership of ops/chatops yet. */
    public static final String LOCAL_NEWBIE = "U0LOCALNEW";
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
                          Map<String, String> env, Path template, int maxContainers,
                          BiConsumer<String, String> log, Map<String, String> parameters,
                          InstantSource httpApiClock) {
        /**
         * Free ports everywhere, the development secret, retries after 1 s and 2 s (Lambda waits
         * minutes), the project's template.yaml, at most 3 execution environments per function, and
         * the functions' logs on standard output, each line after its function's name; the template's
         * parameters as the local stack sets them, and the HTTP API's throttles on the system clock.
         */
        public static Options defaults() {
            return new Options(0, 0, 0, DEV_SIGNING_SECRET, List.of(Duration.ofSeconds(1),
                    Duration.ofSeconds(2)), Map.of(),
                    Template.projectRoot().resolve("template.yaml"), 3,
                    (function, line) -> System.out.println("[" + function + "] " + line), Map.of(),
                    Clock.systemUTC());
        }

        public Options withPort(int value) {
            return new Options(value, motoPort, lambdaPort, signingSecret, retryDelays,
                    env, template, maxContainers, log,
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
            return new Options(port, motoPort, lambdaPort, signingSecret, retryDelays,
                    value, template, maxContainers, log,
                    parameters, httpApiClock);
        }

        /** Another template than the project's (a test's altered copy of it). */
        public Options withTemplate(Path value) {
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
            return new Options(port, motoPort, lambdaPort, signingSecret, retryDelays,
                    env, template, maxContainers, log, value,
                    httpApiClock);
        }

        /** The clock the HTTP API's throttles refill by (a test's, which it moves itself). */
        public Options withHttpApiClock(InstantSource value) {
            return new Options(port, motoPort, lambdaPort, signingSecret, retryDelays,
                    env, template, maxContainers, log,
                    parameters, value);
        }

        /** Where the functions' log lines go: (function, line). */
        public Options withLog(BiConsumer<String, String> value) {
            return new Options(port, motoPort, lambdaPort, signingSecret, retryDelays,
                    env, template, maxContainers, value,
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
    private final CompletableFuture<String> partDied = new CompletableFuture<>();
    private volatile boolean closing;

    LocalStack(MotoServer moto, List<AutoCloseable> started, LambdaFunctions functions, LocalLambdaApi lambda,
                       LocalHttpApi http, LocalAws aws, GitLabStandIn ops, GitLabStandIn staging,
                       GitLabStandIn production, CaptureServer logChannel, PostgresServer replica) {
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
        return StackStart.start(options);
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
    public Optional<PostgresServer> replica() {
        return Optional.ofNullable(replica);
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

    static List<AutoCloseable> reversed(List<AutoCloseable> parts) {
        List<AutoCloseable> copy = new ArrayList<>(parts);
        Collections.reverse(copy);
        return copy;
    }

    /**
     * Completes with a sentence naming the part of the stack (moto_server, PostgreSQL) whose process
     * exited while the stack ran, not while it was being closed or the JVM shutting down. A function's
     * execution environment that exits is not such a part: Lambda replaces it, and so does this stack.
     */
    public CompletableFuture<String> partDied() {
        return partDied;
    }

    void watch(String part, long pid, CompletableFuture<Integer> exited) {
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

    /**
     * Runs {@code functionId}'s {@code live} alias once on {@code payload}, synchronously, as
     * {@code sam local invoke} does.
     */
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
                Log.warn("local.stop_failed", "part", part.getClass().getSimpleName(),
                        "error", String.valueOf(e.getMessage()));
            }
        }
        moto.close();
    }
}
