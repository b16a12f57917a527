package dev.chatops.shared;

/**
 * Region and credentials for every AWS client, from the same standard settings the SDK reads, but
 * without the parts of the default chains that cannot apply in Lambda and cost cold-start time.
 * Kept apart from the clients so the gateway, which has no DynamoDB client, can use it.
 */
public final class AwsSettings {
    private AwsSettings() {
    }

    /**
     * Credentials from the environment (as Lambda provides them) or the matching system properties
     * (the local runner's): the default chain would also read profile files and ask container and
     * instance metadata endpoints first, which costs cold-start time and never applies in Lambda.
     */
    public static software.amazon.awssdk.auth.credentials.AwsCredentialsProvider credentials() {
        return software.amazon.awssdk.auth.credentials.AwsCredentialsProviderChain.of(
                software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider.create(),
                software.amazon.awssdk.auth.credentials.SystemPropertyCredentialsProvider.create());
    }

    /** {@code AWS_REGION} (set by Lambda), else the {@code aws.region} system property, else the SDK's own lookup. */
    public static software.amazon.awssdk.regions.Region region() {
        String region = System.getenv("AWS_REGION");
        if (region == null || region.isBlank()) {
            region = System.getProperty("aws.region");
        }
        return region == null || region.isBlank()
                ? new software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain().getRegion()
                : software.amazon.awssdk.regions.Region.of(region);
    }
}
