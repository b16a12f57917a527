package dev.chatops.local;

import dev.chatops.testing.LocalAws;
import dev.chatops.testing.Template;
import dev.chatops.testing.aws.SamTemplate;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The template's functions as the {@link LocalStack} runs them: each one's artifact and the
 * environment Lambda gives it (its variables, its credentials endpoint, never a way around the
 * front door), the runtime interface client's jars, and SQS as a function's role.
 */
final class StackFunctions {
    private StackFunctions() {
    }

    /** Each function of the template, built by {@code sam build}'s make target, with Lambda's environment. */
    static List<LambdaFunction> functions(LocalAws aws, ContainerCredentials credentials, Map<String, String> overrides,
                                                  String frontDoor) {
        List<LambdaFunction> functions = new ArrayList<>();
        for (SamTemplate.Function function : aws.template().functions().values()) {
            String id = function.logicalId();
            Path artifact = SamBuild.artifact(Template.projectRoot(), id);
            Map<String, String> env = new LinkedHashMap<>(aws.functionEnvironment(id, overrides));
            env.putAll(lambdaVariables(id, function.handler(), function.memorySize(), artifact));
            env.put("AWS_CONTAINER_CREDENTIALS_FULL_URI", credentials.uri());
            env.put("AWS_CONTAINER_AUTHORIZATION_TOKEN", credentials.issue(id, function.roleLogicalId()));
            bypass(env, frontDoor).ifPresent(variable -> {
                throw new IllegalArgumentException(id + ": " + variable
                        + " would take the function's AWS requests past the front door that checks their signature"
                        + " and role; the local stack will not run it");
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
    static Optional<String> bypass(Map<String, String> env, String frontDoor) {
        for (Map.Entry<String, String> variable : env.entrySet()) {
            String name = variable.getKey();
            boolean endpoint = name.equals("AWS_ENDPOINT_URL") && !variable.getValue().equals(frontDoor);
            boolean own = name.startsWith("AWS_ENDPOINT_URL_") || name.equals("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
                    || name.equals("AWS_ACCESS_KEY_ID") || name.equals("AWS_SECRET_ACCESS_KEY")
                    || name.equals("AWS_SESSION_TOKEN") || name.equals("AWS_PROFILE") || name.equals("AWS_CONFIG_FILE")
                    || name.equals("AWS_SHARED_CREDENTIALS_FILE") || name.equals("AWS_WEB_IDENTITY_TOKEN_FILE");
            boolean properties = (name.equals("JAVA_TOOL_OPTIONS") || name.equals("JDK_JAVA_OPTIONS")
                    || name.equals("_JAVA_OPTIONS"))
                    && variable.getValue().contains("-Daws.");
            if (endpoint || own || properties) {
                return Optional.of(name);
            }
        }
        return Optional.empty();
    }

    /**
     * The variables Lambda itself sets in a SnapStart function's environment (AWS Lambda developer
     * guide, "Defined runtime environment variables"): never {@code AWS_ACCESS_KEY_ID},
     * {@code AWS_SECRET_ACCESS_KEY} or {@code AWS_SESSION_TOKEN}, since SnapStart hands credentials
     * out through the container credentials endpoint instead.
     */
    static Map<String, String> lambdaVariables(String id, String handler, int memory, Path artifact) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("_HANDLER", handler);
        env.put("AWS_REGION", LocalRegion.NAME);
        env.put("AWS_DEFAULT_REGION", LocalRegion.NAME);
        env.put("AWS_EXECUTION_ENV", "AWS_Lambda_java21");
        env.put("AWS_LAMBDA_FUNCTION_NAME", id);
        env.put("AWS_LAMBDA_FUNCTION_VERSION", LambdaFunction.VERSION);
        env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", Integer.toString(memory));
        env.put("AWS_LAMBDA_INITIALIZATION_TYPE", "snap-start");
        env.put("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/" + id);
        env.put("AWS_LAMBDA_LOG_STREAM_NAME", LocalDate.now() + "/[" + LambdaFunction.VERSION + "]local");
        env.put("LAMBDA_TASK_ROOT", artifact.toString());
        env.put("LAMBDA_RUNTIME_DIR", runtimeJars().toString());
        env.put("TZ", ":UTC");
        env.put("LANG", "en_US.UTF-8");
        env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
        return env;
    }

    /** AWS's Lambda Java runtime interface client and its jars ({@link RuntimeClient#jars}). */
    static Path runtimeJars() {
        return RuntimeClient.jars();
    }

    /** An SQS client acting as {@code functionId}'s role, as Lambda's destinations and event source mappings do. */
    static SqsClient sqsAs(ContainerCredentials credentials, String functionId,
                                                                     String frontDoor) {
        return SqsClient.builder().httpClient(UrlConnectionHttpClient.create())
                .endpointOverride(URI.create(frontDoor))
                .region(Region.of(LocalRegion.NAME))
                .credentialsProvider(() -> {
                    // The function's current keys on every request, as Lambda's own would rotate.
                    ContainerCredentials.Identity identity = credentials.identityOf(functionId);
                    return AwsSessionCredentials.create(identity.accessKeyId(),
                            identity.secretAccessKey(), identity.sessionToken());
                })
                .build();
    }
}
