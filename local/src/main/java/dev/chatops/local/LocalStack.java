package dev.chatops.local;

import dev.chatops.testing.LocalAws;
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

    /** How the stack is started. */
    public record Options(int port, int motoPort, int lambdaPort, String signingSecret, List<Duration> retryDelays) {
        /** Free ports everywhere, the development secret, and retries after 1 s and 2 s (Lambda waits minutes). */
        public static Options defaults() {
            return new Options(0, 0, 0, DEV_SIGNING_SECRET, List.of(Duration.ofSeconds(1), Duration.ofSeconds(2)));
        }

        public Options withPort(int value) {
            return new Options(value, motoPort, lambdaPort, signingSecret, retryDelays);
        }

        public Options withMotoPort(int value) {
            return new Options(port, value, lambdaPort, signingSecret, retryDelays);
        }

        public Options withLambdaPort(int value) {
            return new Options(port, motoPort, value, signingSecret, retryDelays);
        }

        public Options withSigningSecret(String value) {
            return new Options(port, motoPort, lambdaPort, value, retryDelays);
        }

        public Options withRetryDelays(List<Duration> value) {
            return new Options(port, motoPort, lambdaPort, signingSecret, value);
        }
    }

    private final MotoServer moto;
    private final LocalLambdaApi lambda;
    private final LocalHttpApi http;
    private final LocalAws aws;

    private LocalStack(MotoServer moto, LocalLambdaApi lambda, LocalHttpApi http, LocalAws aws) {
        this.moto = moto;
        this.lambda = lambda;
        this.http = http;
        this.aws = aws;
    }

    public static LocalStack start(Options options) {
        MotoServer moto = MotoServer.start(options.motoPort());
        LocalLambdaApi lambda = null;
        try {
            moto.configureSdk();
            Template template = Template.project();
            // Loopback response URLs are what makes this stack local: the deployed template only takes https.
            LocalAws aws = LocalAws.create(template, Map.of(
                    "SlackSigningSecret", options.signingSecret(),
                    "ResponseUrlAllow", "https://hooks.slack.com,http://127.0.0.1,http://localhost"));
            lambda = new LocalLambdaApi(template, aws.queueUrls(), options.retryDelays(), options.lambdaPort());
            // The standard SDK setting for a service's endpoint (AWS_ENDPOINT_URL_LAMBDA in an environment).
            System.setProperty("aws.endpointUrlLambda", lambda.endpoint());
            LocalFunctions functions = new LocalFunctions(template, aws, Map.of());
            lambda.serve(functions);
            LocalHttpApi http = new LocalHttpApi(functions, template.httpRoutes(), options.port());
            return new LocalStack(moto, lambda, http, aws);
        } catch (RuntimeException e) {
            if (lambda != null) {
                lambda.close();
            }
            moto.close();
            throw e;
        }
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
        moto.close();
    }
}
