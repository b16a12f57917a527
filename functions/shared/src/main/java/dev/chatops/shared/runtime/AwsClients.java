package dev.chatops.shared.runtime;

import dev.chatops.shared.AwsSettings;
import java.time.Duration;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * Default AWS clients for the command functions. Region, endpoint and credentials come from the
 * SDK's standard configuration ({@code AWS_REGION}, {@code AWS_ENDPOINT_URL}, the credentials
 * chain, or the matching {@code aws.*} system properties): the same code talks to AWS in
 * production and to moto locally. The JDK's URL connection client is light and starts fast.
 */
public final class AwsClients {
    private AwsClients() {
    }

    public static DynamoDbClient dynamoDb() {
        return DynamoDbClient.builder().httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(c -> c.addExecutionInterceptor(new DynamoDbCalls()))
                .region(AwsSettings.region()).credentialsProvider(AwsSettings.credentials()).build();
    }

    public static SecretsManagerClient secretsManager() {
        return SecretsManagerClient.builder().httpClient(UrlConnectionHttpClient.create())
                .region(AwsSettings.region()).credentialsProvider(AwsSettings.credentials()).build();
    }

    /**
     * Only for a function that asks another synchronously (explain's access check); its module
     * declares the SDK's lambda.
     */
    public static LambdaClient lambda() {
        // Bounded: AccessCheckFunction's GitLab reads take at most 10 s, and a cold start a few more; past this the
        // caller is told its role could not be confirmed, within explain's own time.
        return LambdaClient.builder().httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(c -> c.apiCallTimeout(Duration.ofSeconds(20)))
                .region(AwsSettings.region()).credentialsProvider(AwsSettings.credentials()).build();
    }

    /**
     * SnapStart's priming of the SDK (CommandPriming): the DynamoDB requests the runtime makes
     * (GetItem, a conditional PutItem, UpdateItem, Query) on {@code table} and a Secrets Manager
     * GetSecretValue, each built, marshalled and signed by clients made for this alone, with a
     * throwaway identity, and stopped before a byte is sent. The function's own clients, their
     * credentials and their connections are left untouched for the first real request.
     *
     * @throws IllegalStateException when a request was not stopped where it should have been
     */
    public static void prime(String table) {
        StaticCredentialsProvider identity =
                StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDSNAPSTARTPRIMING", "never-sent"));
        Map<String, AttributeValue> key = Map.of("pk", AttributeValue.fromS("snapstart-priming"));
        try (DynamoDbClient dynamo = DynamoDbClient.builder().httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(c -> c.addExecutionInterceptor(new StopBeforeSending()))
                .region(AwsSettings.region()).credentialsProvider(identity).build();
             SecretsManagerClient secrets = SecretsManagerClient.builder().httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(c -> c.addExecutionInterceptor(new StopBeforeSending()))
                .region(AwsSettings.region()).credentialsProvider(identity).build()) {
            stopped(() -> dynamo.getItem(r -> r.tableName(table).key(key).consistentRead(true)));
            stopped(() -> dynamo.putItem(r -> r.tableName(table).item(key)
                    .conditionExpression("attribute_not_exists(pk)")));
            stopped(() -> dynamo.updateItem(r -> r.tableName(table).key(key).updateExpression("SET #n = :n")
                    .expressionAttributeNames(Map.of("#n", "n"))
                    .expressionAttributeValues(Map.of(":n", AttributeValue.fromN("1")))));
            stopped(() -> dynamo.query(r -> r.tableName(table).keyConditionExpression("pk = :pk")
                    .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS("snapstart-priming")))));
            stopped(() -> secrets.getSecretValue(r -> r.secretId("snapstart-priming")));
        }
    }

    private static void stopped(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                if (cause instanceof Stopped) {
                    return;
                }
            }
            throw e;
        }
        throw new IllegalStateException("a priming request was answered: it was sent");
    }

    /** Stops every request of the client it is given to once it is signed, before it is sent. */
    private static final class StopBeforeSending implements ExecutionInterceptor {
        @Override
        public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
            throw new Stopped();
        }
    }

    /** Not an error: the point where a priming request stops. */
    private static final class Stopped extends RuntimeException {
        Stopped() {
            super("stopped before sending (SnapStart priming)", null, false, false);
        }
    }
}
