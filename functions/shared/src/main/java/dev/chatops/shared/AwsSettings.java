package dev.chatops.shared;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProviderChain;
import software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.auth.credentials.SystemPropertyCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;

/**
 * Region and credentials for the command functions' AWS clients, from the same standard settings the
 * SDK reads, but without the parts of the default chains that cannot apply in Lambda and cost
 * cold-start time. (The gateway has its own: it carries no SDK credentials or regions module.)
 */
public final class AwsSettings {
    private AwsSettings() {
    }

    /**
     * The execution role's credentials, the two ways Lambda hands them out: the key variables
     * ({@code AWS_ACCESS_KEY_ID} …) without SnapStart, and the container credentials endpoint
     * ({@code AWS_CONTAINER_CREDENTIALS_FULL_URI} with {@code AWS_CONTAINER_AUTHORIZATION_TOKEN}) with
     * SnapStart, which template.yaml turns on for every function. The {@code aws.accessKeyId} system
     * properties come between the two only because the tests and the local stack, which run functions
     * inside one JVM, set them ({@code MotoServer.configureSdk}).
     * Not the SDK's default chain: it would also read profile files, try web identity and, when all
     * else fails, wait on instance metadata, none of which applies in Lambda.
     */
    public static AwsCredentialsProvider credentials() {
        return AwsCredentialsProviderChain.of(
                EnvironmentVariableCredentialsProvider.create(),
                SystemPropertyCredentialsProvider.create(),
                ContainerCredentialsProvider.create());
    }

    /** {@code AWS_REGION} (set by Lambda), else the {@code aws.region} system property, else the SDK's own lookup. */
    public static Region region() {
        String region = System.getenv("AWS_REGION");
        if (region == null || region.isBlank()) {
            region = System.getProperty("aws.region");
        }
        return region == null || region.isBlank()
                ? new DefaultAwsRegionProviderChain().getRegion()
                : Region.of(region);
    }
}
