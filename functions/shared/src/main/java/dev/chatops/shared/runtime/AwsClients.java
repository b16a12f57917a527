package dev.chatops.shared.runtime;

import dev.chatops.shared.AwsSettings;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
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
     * (GetItem, a conditional PutItem, UpdateItem, Query) and a Secrets Manager GetSecretValue, sent
     * by clients made for this alone, with throwaway credentials, to {@code loopback} (a
     * {@link dev.chatops.shared.PrimingServer}), which answers as the services would with nothing
     * found. The function's own clients, their credentials and their connections are left untouched
     * for the first real request.
     */
    static void prime(String loopback) {
        StaticCredentialsProvider identity = StaticCredentialsProvider.create(
                AwsBasicCredentials.create("AKIDSNAPSTARTPRIMING", "snapstart-priming"));
        URI endpoint = URI.create(loopback);
        String table = "snapstart-priming";
        Map<String, AttributeValue> key = Map.of("pk", AttributeValue.fromS("snapstart-priming"));
        try (DynamoDbClient dynamo = DynamoDbClient.builder().httpClient(UrlConnectionHttpClient.create())
                .endpointOverride(endpoint).region(AwsSettings.region()).credentialsProvider(identity).build();
             SecretsManagerClient secrets = SecretsManagerClient.builder().httpClient(UrlConnectionHttpClient.create())
                .endpointOverride(endpoint).region(AwsSettings.region()).credentialsProvider(identity).build()) {
            dynamo.getItem(r -> r.tableName(table).key(key).consistentRead(true));
            dynamo.putItem(r -> r.tableName(table).item(key).conditionExpression("attribute_not_exists(pk)"));
            dynamo.updateItem(r -> r.tableName(table).key(key).updateExpression("SET #n = :n")
                    .expressionAttributeNames(Map.of("#n", "n"))
                    .expressionAttributeValues(Map.of(":n", AttributeValue.fromN("1"))));
            dynamo.query(r -> r.tableName(table).keyConditionExpression("pk = :pk")
                    .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS("snapstart-priming"))));
            secrets.getSecretValue(r -> r.secretId("snapstart-priming"));
        }
    }

    /** What the priming server answers the requests of {@link #prime}: found nothing, a throwaway secret. */
    static String primingAnswer(String target) {
        if (target.endsWith(".Query")) {
            return "{\"Count\":0,\"Items\":[],\"ScannedCount\":0}";
        }
        if (target.endsWith(".GetSecretValue")) {
            return "{\"Name\":\"snapstart-priming\",\"SecretString\":\"snapstart-priming\"}";
        }
        return "{}";
    }
}
