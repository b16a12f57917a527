package dev.chatops.shared.runtime;

import dev.chatops.shared.ChatOpsException;

/** DynamoDB did not do what we asked (unavailable, throttled, misconfigured). The SDK exception is the cause. */
public class StoreException extends ChatOpsException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
