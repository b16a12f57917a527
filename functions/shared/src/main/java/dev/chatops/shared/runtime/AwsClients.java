package dev.chatops.shared.runtime;

import dev.chatops.shared.AwsSettings;
import java.time.Duration;

import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
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
}
