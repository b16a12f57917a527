package dev.chatops.shared.runtime;

import dev.chatops.shared.ConfigurationException;
import dev.chatops.shared.Json;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * One Secrets Manager secret, read when first needed and kept for the container's life. Its value
 * never reaches a log or a reply; errors name the secret id only.
 */
public final class SecretValue implements Supplier<String> {
    private final Supplier<SecretsManagerClient> client;
    private final String secretId;
    private volatile String value;

    public SecretValue(Supplier<SecretsManagerClient> client, String secretId) {
        this.client = client;
        this.secretId = secretId;
    }

    @Override
    public String get() {
        String cached = value;
        if (cached == null) {
            synchronized (this) {
                if (value == null) {
                    try {
                        value = client.get().getSecretValue(b -> b.secretId(secretId)).secretString();
                    } catch (SdkException e) {
                        throw new StoreException("could not read secret " + secretId, e);
                    }
                }
                cached = value;
            }
        }
        return cached;
    }

    /** A field of a JSON secret ({@code {"ops":"glpat-…","production":"glpat-…"}}). */
    public Supplier<String> field(String name) {
        return () -> {
            Object field = Json.readObject(get()).get(name);
            if (field == null) {
                throw new ConfigurationException("secret " + secretId + " has no entry " + name);
            }
            return String.valueOf(field);
        };
    }
}
